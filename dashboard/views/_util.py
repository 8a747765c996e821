from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def export_or_none(request, table, filename: str):
    """The same columns as shown, as .xlsx, when the page is asked for ?_export=xlsx."""
    from django_tables2.export import TableExport

    if request.GET.get("_export") != "xlsx":
        return None
    exporter = TableExport("xlsx", table, dataset_kwargs={"title": filename[:31]})
    return exporter.response(f"{filename}.xlsx")
