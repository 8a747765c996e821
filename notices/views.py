"""The public pages: published circulars and the signature check. No login."""

from django.shortcuts import render


def circular_list(request):
    return render(request, "notices/circular_list.html", {"circulars": []})
