"""Finding English sentences in what a French, German or Italian reader sees.

A sentence is English when, among a few consecutive words, at least two are English
function words that French, German and Italian do not have ("the", "of", "your", "is"...).
Single English words (a product or module name, "Consulting") pass; "The status of your
request" does not. Words in capitals (codes such as ERP, HR, CRM) are never counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

# English words that are not words of French, German or Italian. Left out on purpose: "a",
# "an" (German), "in", "so", "also", "was", "will", "die" (German), "on", "or", "as", "but",
# "me", "us" (French), "her" (German), "no", "do", "per", "all" (Italian: all'ora).
_WORDS = """
    the and with your yours this that these those is are were has have had would should
    could can cannot must shall may not of to for from by at you we our they their them it
    its which who whom what when where how there here been being does did than into only
    please yet why each every nothing anything something someone after before about above
    below between without within until while if then my he she his him one ones any
    some more most other such same own
"""
ENGLISH_WORDS = frozenset(_WORDS.split())
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
WINDOW = 4  # consecutive words
ENOUGH = 2  # English function words among them


# Labels of buttons, links and headings that are English words only; a text that is one of
# them alone ("Save", "Cancel", "Sign out") is English too. Left out: words French, German or
# Italian write the same ("Notifications", "Minutes", "Reset", "continue", "all", "more").
_LABELS = """
    save|cancel|delete|send|search|settings|reply|edit|open|close|new|back|next|previous|
    submit|sign in|sign out|log in|log out|remove|add|apply|show|hide|download|upload|today|
    yesterday|password|subject|customer|customers|request|requests|assigned|unassigned|
    overdue|billable|included|invoice|invoices|estimate|accept|decline|approve|yes|done|
    language|new request|my requests|help|view|details|history|none|unknown|loading|refresh|
    less|select|selected|clear|confirm|assign|assignee|due|tomorrow|never|always|week|month|
    year|hours
"""
ENGLISH_LABELS = frozenset(w.strip() for w in _LABELS.split("|") if w.strip())


def english_label(text: str) -> str:
    """The text when it is one English label alone ("Save", "Sign out"), else ""."""
    if "{{" in text:
        return ""  # a macro's variable, written as the macro writes it
    words = " ".join(WORD.findall(text)).lower()
    return text if words in ENGLISH_LABELS else ""


def english_run(text: str) -> str:
    """The English run of words in `text`, or "" when there is none."""
    words = WORD.findall(text)
    if len(words) < 3:
        return ""
    marks = [w.lower() in ENGLISH_WORDS and not (w.isupper() and len(w) > 1) for w in words]
    for start in range(len(words)):
        if marks[start] and sum(marks[start : start + WINDOW]) >= ENOUGH:
            return " ".join(words[max(0, start - 2) : start + WINDOW + 2])
    return ""


TEXT_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# Codes shown on purpose (a manager's "show codes", a keyboard key) are in <code> and <kbd>.
SKIPPED_ELEMENTS = frozenset({"script", "style", "template", "svg", "textarea", "code", "kbd"})


@dataclass
class Page:
    texts: list[str] = field(default_factory=list)  # text nodes and text attributes
    date_values: list[tuple[str, str]] = field(default_factory=list)  # (type, value)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.skipping: list[str] = []
        self.language = ""  # the page's (<html lang>)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = (values.get("lang") or "")[:2]
        if tag == "html":
            self.language = lang
        elif tag in SKIPPED_ELEMENTS or (lang and self.language and lang != self.language):
            # An element marked with another language than the page's is in that language
            # on purpose (what a customer reads, shown to an agent who reads another).
            self.skipping.append(tag)
        for name in TEXT_ATTRIBUTES:
            if values.get(name):
                self.page.texts.append(str(values[name]))
        if tag == "input" and (values.get("type") or "") in ("date", "datetime-local", "month"):
            self.page.date_values.append((str(values["type"]), values.get("value") or ""))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.page.texts.append(str(values["value"]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            return
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)  # nothing inside it to skip

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.page.texts.append(" ".join(data.split()))


def read_html(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page


ISO_VALUE = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "datetime-local": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$"),
    "month": re.compile(r"^\d{4}-\d{2}$"),
}


def non_iso_dates(page: Page) -> list[str]:
    return [v for kind, v in page.date_values if v and not ISO_VALUE[kind].match(v)]


class PeoplesWords:
    """What people typed (subjects, messages, names): their language is theirs, not ours.
    A text is checked again with these lines taken out before it counts as English."""

    def __init__(self, texts: Iterable[str]) -> None:
        lines = {
            " ".join(line.split())
            for text in texts
            if text
            for line in str(text).splitlines()
            if len(line.split()) >= 1 and len(line.strip()) >= 4
        }
        self.lines = sorted(lines, key=len, reverse=True)

    def without(self, text: str) -> str:
        if any(text in line for line in self.lines):
            return ""  # a piece of a person's text (a line of an article, a list item)
        for line in self.lines:
            if line in text:
                text = text.replace(line, " ")
        # A shortened quote ("How do I reverse a posted…") is the start of a person's text.
        if text.rstrip().endswith(("…", "...")):
            head = text.rstrip().rstrip("….").strip()
            words = head.split()
            for cut in range(len(words)):
                tail = " ".join(words[cut:])
                if len(tail) >= 8 and any(line.startswith(tail) for line in self.lines):
                    return " ".join(words[:cut])
        return text


CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def codes(texts: Iterable[str], people: PeoplesWords) -> Iterator[str]:
    """Codes (standard_usage, defect_linked) where people read words."""
    for text in texts:
        if CODE.search(text) and (found := CODE.findall(people.without(text))):
            yield f"code {', '.join(found)} in {text[:120]!r}"


def english_sentences(texts: Iterable[str], people: PeoplesWords) -> Iterator[str]:
    for text in texts:
        if english_run(text) and (run := english_run(people.without(text))):
            yield f"{run!r} in {text[:160]!r}"
        elif english_label(text) and english_label(people.without(text) or ""):
            yield f"label {text!r}"
