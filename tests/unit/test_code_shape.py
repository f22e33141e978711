"""The package's shape rules, checked on its source: a rule the README states but nothing checks
erodes one stream at a time."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tap_amazon_sp"
# A class longer than this does more than one job: split it along its responsibilities.
MAX_CLASS_LINES = 250


def long_classes(source: str, name: str, limit: int = MAX_CLASS_LINES) -> list[str]:
    """`name:Class (N lines)` for each class in `source` (nested ones too) longer than `limit`
    lines, its decorators included."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            lines = (node.end_lineno or node.lineno) - first + 1
            if lines > limit:
                found.append(f"{name}:{node.name} ({lines} lines)")
    return found


def test_no_class_in_the_package_is_over_250_lines():
    found = [hit for path in sorted(PACKAGE.glob("*.py")) for hit in long_classes(path.read_text("utf-8"), path.name)]
    assert found == [], f"classes over {MAX_CLASS_LINES} lines in tap_amazon_sp/ (split them):\n" + "\n".join(found)


def test_the_class_check_names_a_long_class_and_only_it():
    # The check above must be able to fail: a 251-line class is named, with its decorator counted, a
    # 250-line one and the module's other lines are not.
    body = "\n".join(f"    x{i} = {i}" for i in range(249))
    source = textwrap.dedent(
        """
        import dataclasses

        @dataclasses.dataclass
        class Long:
        {body}

        class Short:
        {body}
        """
    ).format(body=body)
    assert long_classes(source, "streams.py") == ["streams.py:Long (251 lines)"]
    assert long_classes(source, "streams.py", limit=251) == []


# Windows: only windows.py slices time. Arithmetic with a duration (a datetime plus or minus a
# timedelta) anywhere else is either a window cut by hand or a clock, and a clock is named here.
WINDOWS = "windows.py"
# (module, function) -> why its duration arithmetic cuts no window. Keep it short: anything that
# slices the synced range belongs in windows.py instead.
CLOCKS = {
    (
        "cooldowns.py",
        "Rests.rest",
    ): "when a report Amazon cancelled may be asked for again: its cool-down, a retry clock",
    (
        "report_reuse.py",
        "ReportReuse.generated_before",
    ): "which earlier report Amazon counted against a cancelled one's cool-down",
    (
        "report_reuse.py",
        "ReportReuse._listing",
    ): "how old a listed report may be to be reused (report_reuse_max_age_hours)",
    (
        "settings.py",
        "load_settings",
    ): "start_date's default, two years before now: the synced range that windows.py cuts",
    (
        "catalog_streams.py",
        "CatalogItemsStream.due",
    ): "whether an ASIN read earlier is due again (catalog_refresh_days): a refresh schedule per ASIN",
    (
        "progress.py",
        "SyncProgress.report_read",
    ): "the ETA a progress line says: when the sync may end, not a window",
    (
        "quota.py",
        "sync_plan",
    ): "the earliest end the sync plan's line says: the quota's clock, not a window",
}


def _names_timedelta(annotation: ast.expr | None) -> bool:
    return annotation is not None and "timedelta" in ast.unparse(annotation)


def _is_duration(node: ast.expr, durations: set[str]) -> bool:
    """Whether an expression is a timedelta: one built here, or a name, attribute or function known to hold one."""
    if isinstance(node, ast.Call):
        func = node.func
        called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return called == "timedelta" or called in durations
    if isinstance(node, ast.Name):
        return node.id in durations
    return isinstance(node, ast.Attribute) and node.attr in durations


def duration_names(tree: ast.Module, *, local: bool) -> set[str]:
    """The names that hold a timedelta in a module: fields, parameters and module constants, and the
    functions that return one (what other modules may use too); with `local`, also what its
    functions assign one to."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and _names_timedelta(node.annotation):
            names.add(_target_name(node.target))
        elif isinstance(node, ast.arg) and _names_timedelta(node.annotation):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _names_timedelta(node.returns):
            names.add(node.name)
    assigned = ast.walk(tree) if local else iter(tree.body)
    for node in assigned:
        if isinstance(node, ast.Assign) and _is_duration(node.value, set()):
            names.update(_target_name(target) for target in node.targets)
    return names


def _target_name(target: ast.expr) -> str:
    """The name an assignment binds: `x` for `x = ...` and for `self.x = ...`."""
    return target.id if isinstance(target, ast.Name) else ast.unparse(target).rsplit(".", 1)[-1]


def _scoped(tree: ast.Module) -> list[tuple[str, ast.AST]]:
    """Every node of a module with the qualified name of the function or class holding it ("" at the top)."""
    found: list[tuple[str, ast.AST]] = []

    def visit(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            found.append((scope, child))
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, f"{scope}.{child.name}" if scope else child.name)
            else:
                visit(child, scope)

    visit(tree, "")
    return found


def window_arithmetic(source: str, name: str, shared: set[str]) -> list[tuple[str, str, str]]:
    """(module, function, `line: expression`) for each datetime plus or minus a duration in `source`.
    `shared` is what the other modules of the package name a duration (`duration_names`)."""
    tree = ast.parse(source)
    durations = shared | duration_names(tree, local=True)
    found = []
    for scope, node in _scoped(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            hit = _is_duration(node.left, durations) or _is_duration(node.right, durations)
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub)):
            hit = _is_duration(node.value, durations)
        else:
            continue
        if hit:
            found.append((name, scope, f"{node.lineno}: {ast.unparse(node)}"))
    return found


def test_no_module_but_windows_does_window_arithmetic():
    sources = {path.name: path.read_text("utf-8") for path in sorted(PACKAGE.glob("*.py"))}
    shared = {name for source in sources.values() for name in duration_names(ast.parse(source), local=False)}
    assert {"CLOCK_MARGIN", "hold_back", "look_back_for", "reuse_max_age"} <= shared
    found = [
        hit for name, source in sources.items() if name != WINDOWS for hit in window_arithmetic(source, name, shared)
    ]
    cut_by_hand = [f"{name}:{scope}:{where}" for name, scope, where in found if (name, scope) not in CLOCKS]
    assert cut_by_hand == [], (
        "time sliced outside windows.py (give windows.py the rule, or name the clock in CLOCKS with why):\n"
        + "\n".join(cut_by_hand)
    )
    stale = sorted(set(CLOCKS) - {(name, scope) for name, scope, _ in found})
    assert stale == [], f"CLOCKS entries with no duration arithmetic left (drop them): {stale}"


def test_the_window_check_finds_each_kind_of_duration_arithmetic():
    # The check above must be able to fail: a duration built in place, a module constant, a local, a
    # field, another module's function, `+=`; declaring a plan's durations and datetime differences are
    # not arithmetic on a window.
    source = textwrap.dedent(
        """
        import datetime as dt
        from datetime import timedelta

        MARGIN = timedelta(minutes=2)
        PLAN = WindowPlan(hold_back=timedelta(hours=72))

        class Stream:
            grace: timedelta = timedelta(0)

            def windows(self, start, end):
                step = timedelta(days=7)
                while start < end:
                    yield start, start + step
                    start += step

            def probe(self, now):
                return now - MARGIN, now - dt.timedelta(days=1), now - self.grace

            def elapsed(self, start, end):
                return end - start, len(self.items) - 1

        def again(now, plan):
            return now + plan.look_back_for(3)
        """
    )
    found = window_arithmetic(source, "streams.py", {"look_back_for"})
    assert found == [
        ("streams.py", "Stream.windows", "14: start + step"),
        ("streams.py", "Stream.windows", "15: start += step"),
        ("streams.py", "Stream.probe", "18: now - MARGIN"),
        ("streams.py", "Stream.probe", "18: now - dt.timedelta(days=1)"),
        ("streams.py", "Stream.probe", "18: now - self.grace"),
        ("streams.py", "again", "24: now + plan.look_back_for(3)"),
    ], found


# Formats: only formats.py tells one document format from another; everything else asks the format
# object the stream picked (`format_for`). A format branch is a read of the catalogue's format fields,
# or a test naming a format (its word, suffix or content type) or one of the format classes.
FORMATS = "formats.py"
# The fields of a ReportSpec that say which format its documents are in.
FORMAT_FIELDS = {"fmt", "xml_repeated"}
FORMAT_WORD = re.compile(
    r"^\.?(tsv|csv|json|jsonl|json ?lines|ndjson|xml)$|tab-separated|[/+](json|xml)\b|ndjson|jsonl", re.IGNORECASE
)


def format_classes(source: str) -> set[str]:
    """DocumentFormat and every class of `source` derived from it."""
    bases = {
        node.name: {ast.unparse(base) for base in node.bases}
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef)
    }
    found = {"DocumentFormat"}
    while grown := {name for name, of in bases.items() if of & found} - found:
        found |= grown
    return found


def _tests(node: ast.AST) -> list[ast.AST]:
    """What a node branches on: a condition, both sides of a comparison, a match's subject and cases."""
    if isinstance(node, (ast.If, ast.IfExp, ast.While)):
        return [node.test]
    if isinstance(node, ast.comprehension):
        return list(node.ifs)
    if isinstance(node, ast.Compare):
        return [node.left, *node.comparators]
    if isinstance(node, ast.Match):
        return [node.subject, *(case.pattern for case in node.cases)]
    return []


def format_branches(source: str, name: str, classes: set[str]) -> list[str]:
    """`name:line: what` for each format branch in `source`."""
    found: set[tuple[int, str]] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in FORMAT_FIELDS and isinstance(node.ctx, ast.Load):
            found.add((node.lineno, f".{node.attr}"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("isinstance", "issubclass")
        ):
            named = {n.id for arg in node.args[1:] for n in ast.walk(arg) if isinstance(n, ast.Name)} & classes
            found.update((node.lineno, cls) for cls in named)
        for test in _tests(node):
            for part in ast.walk(test):
                if isinstance(part, ast.Constant) and isinstance(part.value, str) and FORMAT_WORD.search(part.value):
                    found.add((part.lineno, repr(part.value)))
                elif isinstance(part, (ast.Name, ast.MatchClass)):
                    cls = part.id if isinstance(part, ast.Name) else ast.unparse(part.cls)
                    if cls in classes:
                        found.add((part.lineno, cls))
    return [f"{name}:{line}: {what}" for line, what in sorted(found)]


def test_no_module_but_formats_branches_on_a_document_format():
    classes = format_classes((PACKAGE / FORMATS).read_text("utf-8"))
    assert {"FlatFile", "JsonArray", "FlatXml", "XmlTree"} <= classes
    found = [
        hit
        for path in sorted(PACKAGE.glob("*.py"))
        if path.name != FORMATS
        for hit in format_branches(path.read_text("utf-8"), path.name, classes)
    ]
    assert found == [], "format branches outside formats.py (ask the stream's format instead):\n" + "\n".join(found)
    # Were formats.py to lose its own branches (`format_for`), the check would guard nothing.
    assert len(format_branches((PACKAGE / FORMATS).read_text("utf-8"), FORMATS, classes)) >= 3


def test_the_format_check_finds_each_kind_of_format_branch():
    # The check above must be able to fail: a catalogue format field read, a format's word, suffix or
    # content type tested, a format class in isinstance, `is` or a match case; a stream asking its
    # format object, and format words outside a test, are not branches.
    source = textwrap.dedent(
        """
        def read(spec, reader, document, content_type, kind):
            if spec.fmt == "tsv":
                return rows(document)
            if isinstance(reader, (JsonArray, Other)):
                return items(document)
            tree = bool(spec.xml_repeated)
            if content_type.startswith("application/xml") or document.name.endswith(".jsonl"):
                return tree
            match kind:
                case "JSON Lines" | FlatFile():
                    pass
            if type(reader) is FlatXml:
                pass
            label = "json"
            if reader.typed and kind != "full":
                return reader.read(document), label, "{:d}".format(3)
        """
    )
    found = format_branches(source, "report_streams.py", {"DocumentFormat", "FlatFile", "JsonArray", "FlatXml"})
    assert found == [
        "report_streams.py:3: 'tsv'",
        "report_streams.py:3: .fmt",
        "report_streams.py:5: JsonArray",
        "report_streams.py:7: .xml_repeated",
        "report_streams.py:8: '.jsonl'",
        "report_streams.py:8: 'application/xml'",
        "report_streams.py:11: 'JSON Lines'",
        "report_streams.py:11: FlatFile",
        "report_streams.py:13: FlatXml",
    ], found
