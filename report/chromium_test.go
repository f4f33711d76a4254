package report

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const chromium = "/usr/bin/chromium"

// measure is appended to a copy of the report: it writes every chart's
// on-screen box and drawn-content box into the DOM, which --dump-dom prints.
const measure = `<script>(function(){var o={};document.querySelectorAll("svg[id]").forEach(function(s){
var r=s.getBoundingClientRect(),b=s.getBBox();o[s.id]={w:r.width,h:r.height,bw:b.width,bh:b.height,n:s.querySelectorAll("*").length};});
var p=document.createElement("pre");p.id="chart-sizes";p.textContent=JSON.stringify(o);document.body.appendChild(p);})();</script>`

// chromiumArgs are flags that work in a container without a display or
// network; each run gets a fresh profile.
func chromiumArgs(t *testing.T) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
}

func runChromium(t *testing.T, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, append(chromiumArgs(t), args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// TestRenderInChromium renders a report of every kind of run in headless
// Chromium and checks that every chart is there with a non-zero size and
// drawn content.
func TestRenderInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not starting Chromium (about 10 s)")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("no %s (Debian package chromium; .ci/run installs it): not rendering the report", chromium)
	}
	d, err := Collect(fixture(t), "")
	if err != nil {
		t.Fatal(err)
	}
	ids := ChartIDs(d)
	if len(ids) < 9 {
		t.Fatalf("fixture gives %d charts, want 9", len(ids))
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := WriteFile(page, d); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	probe := filepath.Join(dir, "measured.html")
	withScript := strings.Replace(string(src), "</body>", measure+"</body>", 1)
	if err := os.WriteFile(probe, []byte(withScript), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := runChromium(t, "--window-size=1400,3000", "--dump-dom", "file://"+probe)
	m := regexp.MustCompile(`(?s)<pre id="chart-sizes">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil {
		t.Fatalf("chromium's DOM has no chart sizes (the page did not load or the script did not run); DOM starts %.300q", dom)
	}
	var sizes map[string]struct{ W, H, BW, BH, N float64 }
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &sizes); err != nil {
		t.Fatalf("chart sizes %q: %v", m[1], err)
	}
	for _, id := range ids {
		s, ok := sizes[id]
		switch {
		case !ok:
			t.Errorf("chart %q not in the rendered page", id)
		case !(s.W > 0 && s.H > 0):
			t.Errorf("chart %q rendered %gx%g", id, s.W, s.H)
		case !(s.BW > 0 && s.BH > 0) || s.N < 10:
			t.Errorf("chart %q draws nothing: content box %gx%g, %g elements", id, s.BW, s.BH, s.N)
		default:
			t.Logf("chart %-28s %4.0fx%-4.0f %4.0f elements", id, s.W, s.H, s.N)
		}
	}
	if len(sizes) != len(ids) {
		t.Errorf("page has %d charts, ChartIDs lists %d", len(sizes), len(ids))
	}
	if shot := os.Getenv("AIQ_REPORT_SCREENSHOT"); shot != "" {
		runChromium(t, "--window-size=1400,5000", "--hide-scrollbars", "--screenshot="+shot, "file://"+page)
		t.Logf("screenshot in %s", shot)
	}
}
