using Streaming.Operator.Counting;

namespace Streaming.Operator.Pages;

/// <summary>The frame of every page: title, styles (no script at all), header, window switcher and footer.</summary>
public static class Layout
{
    private const string Styles = """
        :root { color-scheme: light dark; --ink: #1d2430; --muted: #5f6b7a; --line: #e3e7ed; --band: #f6f8fa; --page: #fff; --link: #0a58ca; --accent: #bd081c; --good: #1a7f37; --bad: #cf222e; --warn: #9a6700;
                --received: #3867b4; --sent: #8250df; --dead: #cf222e; --share: #0b7285; --delay: #b35900; }
        @media (prefers-color-scheme: dark) {
          :root { --ink: #e6edf3; --muted: #9aa5b1; --line: #343b45; --band: #161b22; --page: #0d1117; --link: #6cb6ff; --accent: #ff5a6a; --good: #4ac26b; --bad: #ff7b72; --warn: #e3b341;
                  --received: #6ea8fe; --sent: #b59cf5; --dead: #ff7b72; --share: #3fc1d6; --delay: #f0883e; }
        }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color: var(--ink); background: var(--page); }
        header { padding: 14px 28px; border-bottom: 3px solid var(--accent); display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 18px; }
        header h1 { font-size: 19px; margin: 0; font-weight: 650; }
        header .where { color: var(--muted); }
        main { padding: 8px 28px 28px; max-width: 1400px; }
        h2 { font-size: 15px; margin: 26px 0 8px; font-weight: 650; }
        h2 small { font-weight: 400; color: var(--muted); margin-left: 6px; }
        p.note { color: var(--muted); margin: 4px 0 8px; max-width: 70em; }
        nav.windows a, nav.windows strong { display: inline-block; padding: 2px 10px; border: 1px solid var(--line); border-radius: 12px; margin-right: 4px; text-decoration: none; color: var(--ink); }
        nav.windows strong { background: var(--ink); color: var(--page); border-color: var(--ink); }
        table { border-collapse: collapse; width: 100%; margin: 4px 0; }
        th, td { padding: 5px 9px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
        th { font-weight: 600; color: var(--muted); font-size: 12.5px; background: var(--band); white-space: nowrap; }
        td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tr.total td { font-weight: 650; border-top: 2px solid var(--line); }
        td.msg { color: var(--muted); max-width: 38em; overflow-wrap: anywhere; }
        code { font: 12.5px ui-monospace, "DejaVu Sans Mono", monospace; }
        .badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; border: 1px solid currentColor; }
        .s-processed { color: var(--good); } .s-failed, .s-rejected, .s-too_old { color: var(--bad); } .s-dry_run, .s-duplicate { color: var(--muted); }
        .flag { color: var(--warn); }
        table.narrow { width: auto; min-width: 520px; margin-top: 14px; }
        table.lines td { padding-top: 3px; padding-bottom: 3px; font-size: 13px; }
        td code { white-space: nowrap; }
        td.keys code { white-space: normal; }
        td.t { white-space: nowrap; font-variant-numeric: tabular-nums; }
        footer { color: var(--muted); padding: 0 28px 24px; font-size: 12.5px; }
        a { color: var(--link); }
        h3 { font-size: 13.5px; margin: 16px 0 6px; font-weight: 650; color: var(--muted); }
        .chart-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 400px), 1fr)); gap: 12px 28px; max-width: 1100px; }
        figure.chart { margin: 0; min-width: 0; }
        figure.chart figcaption { font-size: 13px; margin-bottom: 2px; }
        figure.chart figcaption .n { font-weight: 650; margin: 0 4px; }
        figure.chart figcaption .summary { display: block; color: var(--muted); font-size: 12.5px; }
        svg.chart { display: block; width: 100%; height: auto; overflow: visible; }
        svg.chart text { font-size: 10.5px; fill: var(--muted); }
        svg.chart text.axis-label { fill: var(--ink); }
        svg.chart text.empty { font-size: 13px; }
        svg.chart line.grid { stroke: var(--line); stroke-width: 1; }
        svg.chart line.axis { stroke: var(--muted); stroke-width: 1; }
        .bar-received { fill: var(--received); } .bar-sent { fill: var(--sent); } .bar-accepted { fill: var(--good); } .bar-dead_lettered { fill: var(--dead); }
        .bar-share { fill: var(--share); } .bar-delay { fill: var(--delay); }
        svg.chart rect.bar:hover { opacity: .7; }
        @media (max-width: 640px) {
          header, main { padding-left: 12px; padding-right: 12px; }
          footer { padding: 0 12px 18px; }
          svg.chart text { font-size: 12px; }
          table { display: block; overflow-x: auto; }
          table.narrow { min-width: 0; }
        }
        """;

    public static Html Start(string title, string heading, string? where)
    {
        var html = new Html()
            .Raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Tag("title", title)
            .Raw("<style>").Raw(Styles).Raw("</style></head><body><header>")
            .Tag("h1", heading);
        if (where is not null)
        {
            html.Tag("span", where, ("class", "where"));
        }

        return html;
    }

    /// <summary>The window switcher: the current window in bold, the others linked to <paramref name="path"/>.</summary>
    public static Html Windows(Html html, Window current, string path)
    {
        html.Open("nav", ("class", "windows"));
        foreach (var w in Window.All)
        {
            if (w == current)
            {
                html.Tag("strong", w.Title);
            }
            else
            {
                html.Tag("a", w.Title, ("href", $"{path}?window={w.Name}"));
            }
        }

        return html.Close("nav");
    }

    /// <summary>Says so while the figures are still being rebuilt from the topics.</summary>
    public static Html Rebuilding(Html html, PageContext context) =>
        context.RebuildDone ? html : html.Tag("p", $"Partial figures: {context.RebuildState}", ("class", "note flag"), ("data-figure", "rebuilding"));

    public static string End(Html html, string footer) => html.Raw("</main><footer>").Text(footer).Raw("</footer></body></html>").ToString();
}
