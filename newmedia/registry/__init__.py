"""The registry workbook (单位, 网站, 栏目, 新媒体账号, 账号变更记录): template, export, import.

It lives in newmedia, the lowest app that knows every sheet of the registry: units may not import
newmedia (dependencies run core <- units <- newmedia <- ...), and the workbook has account sheets.
"""
