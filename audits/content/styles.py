"""Inline styles and simple page stylesheets: enough CSS to tell whether an element is hidden
from a reader (display:none, off-screen, zero size, text the colour of its background, a marquee
that never shows). Used by the visible-text reader and the hidden-link finder."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Hiding:
    technique: str
    reason: str  # Chinese


_OFFSET = re.compile(r"^(-?\d*\.?\d+)\s*(px|pt|em|rem|%)?$")


def _length_px(value: str) -> float | None:
    m = _OFFSET.match(value.strip().removesuffix("!important").strip())
    if not m:
        return None
    number = float(m.group(1))
    unit = m.group(2) or "px"
    return number * {"px": 1, "pt": 1.33, "em": 16, "rem": 16, "%": 10}[unit]


def _declarations(style: str) -> dict[str, str]:
    out = {}
    for part in style.split(";"):
        if ":" in part:
            prop, value = part.split(":", 1)
            value = value.strip().lower().replace("!important", "").strip()
            out[prop.strip().lower()] = value
    return out


_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR = re.compile(r"^([a-z][a-z0-9]*)?((?:[#.][\w-]+)+)$", re.I)


@dataclass(frozen=True)
class Rule:
    tag: str
    ids: frozenset[str]
    classes: frozenset[str]
    selector: str
    decls: tuple[tuple[str, str], ...]

    def matches(self, el) -> bool:
        if self.tag and el.tag.lower() != self.tag:
            return False
        if self.ids and el.get("id") not in self.ids:
            return False
        return not self.classes or self.classes <= set((el.get("class") or "").split())


_HIDING_PROPS = frozenset(
    {
        "display",
        "visibility",
        "position",
        "left",
        "top",
        "right",
        "bottom",
        "margin-left",
        "margin-top",
        "text-indent",
        "font-size",
        "height",
        "width",
        "max-height",
        "max-width",
        "overflow",
        "opacity",
        "clip",
        "color",
        "background-color",
        "background",
    }
)


def _parse_rules(css: str) -> list[Rule]:
    """Rules with a simple selector (``.cls``, ``#id``, ``div.cls``) that set a property that can
    hide. Selectors with combinators or pseudo-classes are ignored: ``.nav li:hover ul`` is how
    menus open, and guessing about them would only add false reports."""
    rules = []
    for selectors, body in _RULE.findall(_COMMENT.sub("", css)):
        decls = {k: v for k, v in _declarations(body).items() if k in _HIDING_PROPS}
        if not decls:
            continue
        for selector in selectors.split(","):
            selector = selector.strip()
            if selector.startswith("@"):
                continue
            m = _SIMPLE_SELECTOR.match(selector)
            if not m:
                continue
            tag = (m.group(1) or "").lower()
            parts = re.findall(r"[#.][\w-]+", m.group(2))
            rules.append(
                Rule(
                    tag,
                    frozenset(p[1:] for p in parts if p[0] == "#"),
                    frozenset(p[1:] for p in parts if p[0] == "."),
                    selector,
                    tuple(decls.items()),
                )
            )
    return rules


def page_rules(root) -> list[Rule]:
    rules: list[Rule] = []
    for style in root.iter("style"):
        rules += _parse_rules(style.text_content() or "")
    return rules


def _style_of(el, rules: list[Rule]) -> tuple[dict[str, str], dict[str, str]]:
    """Declarations that apply to el (page rules in order, then the inline style), and for each
    property the selector it came from ("" for inline)."""
    props: dict[str, str] = {}
    origin: dict[str, str] = {}
    if el.get("class") is not None or el.get("id") is not None:
        for rule in rules:
            if rule.matches(el):
                for prop, value in rule.decls:
                    props[prop], origin[prop] = value, rule.selector
    inline = el.get("style")
    if inline:
        for prop, value in _declarations(inline).items():
            props[prop], origin[prop] = value, ""
    return props, origin


def _color(value: str) -> str:
    value = value.strip().lower()
    named = {"white": "#ffffff", "black": "#000000", "red": "#ff0000", "#fff": "#ffffff"}
    value = named.get(value, value)
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    return value


def own_hiding(el, rules: list[Rule]) -> Hiding | None:
    """How el itself is hidden (not its ancestors), or None."""
    if not isinstance(el.tag, str):
        return None
    # Most elements: nothing below can apply (every page rule names a class or an id).
    attrib = el.attrib
    if (
        "style" not in attrib
        and "hidden" not in attrib
        and (not rules or ("class" not in attrib and "id" not in attrib))
        and el.tag.lower() != "marquee"
    ):
        return None
    props, origin = _style_of(el, rules)

    def via(*names: str) -> str:
        selectors = sorted({origin[n] for n in names if origin.get(n)})
        return f"（由页内 <style> 规则 {'、'.join(selectors)} 设置）" if selectors else ""

    if props.get("display") == "none":
        return Hiding("display:none", "设置了 display:none（不显示）" + via("display"))
    if el.get("hidden") is not None:
        return Hiding("hidden-attr", "带有 hidden 属性（不显示）")
    if props.get("visibility") in ("hidden", "collapse"):
        return Hiding("visibility:hidden", "设置了 visibility:hidden（不可见）" + via("visibility"))
    position = props.get("position")
    if position in ("absolute", "fixed"):
        for side in ("left", "top", "right", "bottom"):
            px = _length_px(props.get(side, ""))
            if px is not None and px <= -500:
                return Hiding(
                    "offscreen",
                    f"用 position:{position}; {side}:{props[side]} 移出屏幕"
                    + via("position", side),
                )
    for side in ("margin-left", "margin-top"):
        px = _length_px(props.get(side, ""))
        if px is not None and px <= -500:
            return Hiding("offscreen", f"用 {side}:{props[side]} 移出屏幕" + via(side))
    # Only inline: in a stylesheet, text-indent:-9999px is the image-replacement trick for logos
    # and icons, which stay visible as their background image.
    px = _length_px(props.get("text-indent", "")) if origin.get("text-indent") == "" else None
    if px is not None and px <= -500:
        return Hiding("text-indent", f"用 text-indent:{props['text-indent']} 把文字移出可见区域")
    if props.get("overflow") in ("hidden", "clip"):
        for dim in ("height", "width", "max-height", "max-width"):
            px = _length_px(props.get(dim, ""))
            if px is not None and px <= 1:
                return Hiding(
                    "size0",
                    f"{dim}:{props[dim]} 且 overflow:hidden（尺寸为零）" + via(dim, "overflow"),
                )
    if position in ("absolute", "fixed") and re.fullmatch(
        r"rect\(\s*0(px)?\s*,?\s*0(px)?\s*,?\s*0(px)?\s*,?\s*0(px)?\s*\)", props.get("clip", "")
    ):
        return Hiding("clip", f"用 clip:{props['clip']} 裁剪为不可见" + via("clip"))
    opacity = props.get("opacity")
    if opacity is not None:
        try:
            if float(opacity) <= 0.05:
                return Hiding("opacity", f"设置了 opacity:{opacity}（完全透明）" + via("opacity"))
        except ValueError:
            pass
    if el.tag.lower() == "marquee":
        return _marquee_hiding(el, props)
    return None


def _marquee_hiding(el, props: dict[str, str]) -> Hiding | None:
    for dim in ("height", "width"):
        value = el.get(dim) or props.get(dim) or ""
        px = _length_px(value)
        if px is not None and px <= 4:
            return Hiding("marquee", f"放在{dim}为 {value} 的极小 <marquee> 滚动框中")
    try:
        amount = int(el.get("scrollamount") or 0)
    except ValueError:
        amount = 0
    if amount >= 500:
        return Hiding("marquee", f"<marquee> 滚动速度极快（scrollamount={amount}），看不清")
    return None


_ABSOLUTE_FONT = {"px", "pt", ""}


def nearest(el, rules: list[Rule], prop: str) -> str | None:
    """The value of an inherited property as the nearest ancestor-or-self sets it."""
    while el is not None:
        if isinstance(el.tag, str):
            props, _ = _style_of(el, rules)
            if prop in props:
                return props[prop]
        el = el.getparent()
    return None


def inherited_hiding(link) -> Hiding | None:
    """Font size 0 and text coloured like its background, inherited from an ancestor's inline
    style. Only inline styles, and only through elements without a class or id: a class lets a
    stylesheet we cannot see set the size again (font-size:0 on a <ul> is the usual trick for
    removing gaps between inline-block items, each of which sets its own size)."""
    font = color = background = None
    el = link
    while el is not None and isinstance(el.tag, str):
        props = _declarations(el.get("style") or "")
        if font is None and "font-size" in props:
            m = _OFFSET.match(props["font-size"])
            if m and ((m.group(2) or "") in _ABSOLUTE_FONT or float(m.group(1)) == 0):
                font = props["font-size"] if float(m.group(1)) <= 1 else ""
        if color is None and "color" in props:
            color = _color(props["color"])
        if background is None:
            for prop in ("background-color", "background"):
                if re.fullmatch(r"#[0-9a-f]{3,6}|[a-z]+", props.get(prop, "")):
                    background = _color(props[prop])
                    break
        if el.get("class") or el.get("id"):
            break
        el = el.getparent()
    if font:
        return Hiding("font-size:0", f"字号为 {font}（文字看不见）")
    if color and background and color == background and color != "transparent":
        return Hiding("color", f"文字颜色与背景色相同（{color}）")
    return None
