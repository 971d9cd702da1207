"""`lrsearch figures`: the work-figures table (履职数据) of the /figures page, under the same filters."""
from __future__ import annotations

import click

from search_app.cli.common import done, index_option
from search_app.cli.output import output_options
from search_app.cli.read import TEXT, _label, _open, _params, _run, filter_options


@click.command()
@click.argument("query", type=TEXT, required=False, default="")
@index_option
@filter_options
@click.option("--metric", type=TEXT, default=None,
              help="One metric's figures, e.g. sessions (常委会会议), laws_made, appointments; the readable "
                   "output then shows its region × year table. Without it: every metric's figures.")
@output_options
def figures(query, index_dir, metric, out, **filters):
    """The work figures the reports state (召开常委会会议10次, 任免58人次, 满意率97.9%), each with its report,
    metric, value, unit and sentence; QUERY (optional) keeps those stated in passages that match it.
    Exit 0 when there are figures, 1 when none."""
    from search_app.core.figures import FIGURE_FIELDS, shown_value
    from search_app.core.figures import figures as run
    result = _run(run, _open(index_dir), _params(query, filters), metric)
    if not out.readable:
        out.emit(result, result["rows"], FIGURE_FIELDS)
        done(bool(result["total"]))
    out.print(f"{result['total']} figures in {result['reports']} reports"
              + (f" · {result['metric']} ({result['metric_name']})" if metric else ""))
    if result["table"]:
        table = result["table"]
        out.table(["region", *map(str, table["years"])],
                  ([g["name"], *("／".join(shown_value(v) for v in c["values"]) or "·" for c in g["years"])]
                   for g in table["regions"]))
    else:
        out.table(["metric", "count"], ([m["key"], m["count"]] for m in result["metrics"] if m["count"]))
        out.table(["year", "region", "level", "metric", "value", "sentence"],
                  ([r["year"], r["region"] or r["body"], _label("level", r["level"]), r["metric_name"],
                    shown_value(r), r["sentence"]] for r in result["rows"]))
    done(bool(result["total"]))
