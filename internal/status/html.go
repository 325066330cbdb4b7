package status

import (
	"fmt"
	"html/template"
	"io"
	"time"
)

// series are the outcomes the chart stacks, bottom up, with their colours.
var series = []struct {
	name, colour string
	count        func(Counts) int
}{
	{"created", "#2e7d32", func(c Counts) int { return c.Created }},
	{"updated", "#66bb6a", func(c Counts) int { return c.Updated }},
	{"unchanged", "#b0bec5", func(c Counts) int { return c.Unchanged }},
	{"archived", "#8d6e63", func(c Counts) int { return c.Archived }},
	{"failed", "#c62828", func(c Counts) int { return c.Failed }},
	{"excluded", "#f9a825", func(c Counts) int { return c.Excluded }},
}

const (
	chartWidth, chartHeight = 640, 220
	plotTop, plotBottom     = 10, 180 // y of the tallest bar's top and of the axis
	plotLeft                = 60
)

type page struct {
	View      *View
	Generated string
	Series    []legendItem
	Objects   []objectPage
}

type legendItem struct{ Name, Colour string }

type objectPage struct {
	Object
	Runs  []runRow
	Chart chart
	Top   []topRow
}

type runRow struct {
	Label string
	Counts
}

type topRow struct {
	CategoryCount
	Kind, Fix string
}

type chart struct {
	Width, Height, AxisY, Left, Right int
	Max                               string
	Bars                              []bar
}

type bar struct {
	Label string
	X, W  int
	Rects []rect
}

type rect struct {
	Y, H   int
	Colour string
	Title  string
}

// WriteHTML writes the view as one self-contained page: per object, a chart of the outcomes of
// each run (inline SVG), the table of runs and the top reasons with their fixes. The page loads
// nothing from elsewhere.
func (v *View) WriteHTML(w io.Writer, now time.Time) error {
	p := page{View: v, Generated: now.UTC().Format(time.DateTime) + " UTC"}
	for _, s := range series {
		p.Series = append(p.Series, legendItem{s.name, s.colour})
	}
	for _, o := range v.Objects {
		op := objectPage{Object: o, Chart: v.chart(o)}
		for i, c := range o.Runs {
			op.Runs = append(op.Runs, runRow{Label: v.Runs[i].label(), Counts: c})
		}
		for _, c := range o.TopCategories(TopN) {
			op.Top = append(op.Top, topRow{CategoryCount: c, Kind: c.kind(), Fix: Fix(c.Category)})
		}
		p.Objects = append(p.Objects, op)
	}
	if err := pageTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("write status page: %w", err)
	}
	return nil
}

// chart stacks each run's outcomes in a bar, scaled to the run with the most rows.
func (v *View) chart(o Object) chart {
	c := chart{Width: chartWidth, Height: chartHeight, AxisY: plotBottom, Left: plotLeft, Right: chartWidth - 10}
	most := 1
	for _, r := range o.Runs {
		most = max(most, r.Rows())
	}
	c.Max = th(most)
	slot := (c.Right - c.Left) / max(len(o.Runs), 1)
	for i, r := range o.Runs {
		b := bar{Label: v.Runs[i].Started.Format("01-02 15:04:05"), X: c.Left + i*slot + slot/6, W: slot * 2 / 3}
		y := plotBottom
		for _, s := range series {
			n := s.count(r)
			if n == 0 {
				continue
			}
			h := max(1, n*(plotBottom-plotTop)/most)
			y -= h
			b.Rects = append(b.Rects, rect{Y: y, H: h, Colour: s.colour, Title: fmt.Sprintf("%s: %s %s", v.Runs[i].label(), th(n), s.name)})
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

var pageTemplate = template.Must(template.New("status").Funcs(template.FuncMap{"th": th, "add": func(a, b int) int { return a + b }}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Reverse-ETL status: {{.View.Dir}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #212121; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2.5rem; }
table { border-collapse: collapse; margin: 0.75rem 0; }
th, td { padding: 0.3rem 0.7rem; border-bottom: 1px solid #e0e0e0; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.failed { color: #c62828; font-weight: 600; } .excluded { color: #a66f00; font-weight: 600; }
.legend span { display: inline-block; margin-right: 1rem; font-size: 0.85rem; }
.legend i { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.3rem; vertical-align: middle; }
.meta { color: #616161; font-size: 0.9rem; }
</style>
</head>
<body>
<h1>Reverse-ETL status</h1>
<p class="meta">{{.View.Dir}}: the last {{len .View.Runs}} of {{.View.TotalRuns}} runs. Generated {{.Generated}}.</p>
<p class="legend">{{range .Series}}<span><i style="background:{{.Colour}}"></i>{{.Name}}</span>{{end}}</p>
{{range .Objects}}{{$o := .}}
<section>
<h2>{{.Object.Object}} <span class="meta">(portal {{.Portal}})</span></h2>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.Chart.Width}}" height="{{.Chart.Height}}" role="img" aria-label="Outcomes of {{.Object.Object}} per run">
<line x1="{{.Chart.Left}}" y1="{{.Chart.AxisY}}" x2="{{.Chart.Right}}" y2="{{.Chart.AxisY}}" stroke="#9e9e9e"/>
<text x="{{add .Chart.Left -6}}" y="14" text-anchor="end" font-size="11" fill="#616161">{{.Chart.Max}}</text>
<text x="{{add .Chart.Left -6}}" y="{{.Chart.AxisY}}" text-anchor="end" font-size="11" fill="#616161">0</text>
{{range .Chart.Bars}}{{$b := .}}<g>{{range .Rects}}<rect x="{{$b.X}}" y="{{.Y}}" width="{{$b.W}}" height="{{.H}}" fill="{{.Colour}}"><title>{{.Title}}</title></rect>{{end}}
<text x="{{$b.X}}" y="{{$o.Chart.AxisY}}" dy="16" font-size="11" fill="#616161">{{.Label}}</text></g>
{{end}}</svg>
<table>
<tr><th>Run</th><th class="n">Synced</th><th class="n">Created</th><th class="n">Updated</th><th class="n">Unchanged</th><th class="n">Archived</th><th class="n">Failed</th><th class="n">Excluded</th></tr>
{{range .Runs}}<tr><td>{{.Label}}</td><td class="n">{{th .Synced}}</td><td class="n">{{th .Created}}</td><td class="n">{{th .Updated}}</td><td class="n">{{th .Unchanged}}</td><td class="n">{{th .Archived}}</td><td class="n">{{th .Failed}}</td><td class="n">{{th .Excluded}}</td></tr>
{{end}}</table>
{{if .Top}}<table>
<tr><th>Top reasons over these runs</th><th class="n">Rows</th><th>How to fix</th></tr>
{{range .Top}}<tr><td><span class="{{if .Failed}}failed{{else}}excluded{{end}}">{{.Kind}}</span> {{.Category}}</td><td class="n">{{th .Count}}</td><td>{{.Fix}}</td></tr>
{{end}}</table>{{end}}
</section>
{{end}}
</body>
</html>
`))
