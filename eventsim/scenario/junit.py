"""JUnit XML of scenario runs, the report format CI systems read (Jenkins, GitLab, GitHub
Actions' test reporters, Azure Pipelines).

One ``<testsuite>`` per scenario; in it one ``<testcase>`` for the steps (an ``<error>`` when
a step failed or the run did not settle) and one per expectation (a ``<failure>`` saying what
was expected and what was found). The readable report is the suite's ``<system-out>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from eventsim.scenario.report import ScenarioReport

__all__ = ["junit_xml"]


def _suite(report: ScenarioReport) -> ET.Element:
    classname = f"eventsim.scenario.{report.name}"
    suite = ET.Element("testsuite", name=report.name)
    cases: list[ET.Element] = []
    steps = ET.Element("testcase", classname=classname, name="steps",
                       time=f"{sum(s.duration_ms for s in report.steps) / 1000:.3f}")
    if report.source:
        steps.set("file", report.source)
    failed = next((s for s in report.steps if not s.ok), None)
    if failed is not None:
        error = ET.SubElement(steps, "error", type="StepFailed",
                              message=f"step {failed.index + 1} ({failed.description}) "
                                      f"failed: {failed.error}")
        error.text = f"{failed.error}\n  at {failed.where}"
    elif report.error:
        ET.SubElement(steps, "error", type="RunFailed", message=report.error).text = report.error
    cases.append(steps)
    for index, result in enumerate(report.expectations):
        case = ET.Element("testcase", classname=classname,
                          name=f"expect[{index}] {result.subject}", time="0.000")
        if report.source:
            case.set("file", report.source)
        if not result.ok:
            failure = ET.SubElement(case, "failure", type="ExpectationFailed",
                                    message=result.problem or "failed")
            failure.text = (f"{result.problem}\n  criteria: {result.criteria}\n  found: "
                            f"{result.found}\n  at {result.where}")
        cases.append(case)
    failures = sum(1 for r in report.expectations if not r.ok)
    errors = 1 if failed is not None or report.error else 0
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    suite.set("time", f"{report.duration_s:.3f}")
    suite.set("timestamp", report.started_at.strftime("%Y-%m-%dT%H:%M:%S"))
    if report.source:
        suite.set("file", report.source)
    suite.extend(cases)
    ET.SubElement(suite, "system-out").text = report.render(logs=True)
    return suite


def junit_xml(reports: Sequence[ScenarioReport]) -> str:
    """The JUnit XML document of these runs (UTF-8 text with its declaration)."""
    root = ET.Element("testsuites", name="eventsim")
    suites = [_suite(r) for r in reports]
    for attribute in ("tests", "failures", "errors"):
        root.set(attribute, str(sum(int(s.get(attribute, "0")) for s in suites)))
    root.set("time", f"{sum(r.duration_s for r in reports):.3f}")
    root.extend(suites)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
