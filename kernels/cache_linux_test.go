package kernels

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseCacheSize(t *testing.T) {
	for s, want := range map[string]int{"32K": 32 << 10, "1024K": 1 << 20, "8M": 8 << 20, "512": 512, "": 0, "xK": 0, "-1K": 0} {
		if got := parseCacheSize(s); got != want {
			t.Errorf("parseCacheSize(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestSysCacheSizes(t *testing.T) {
	dir := t.TempDir()
	for i, c := range [][3]string{{"1", "Data", "64K"}, {"1", "Instruction", "32K"}, {"2", "Unified", "1024K"}, {"3", "Unified", "16M"}} {
		d := filepath.Join(dir, "index"+string(rune('0'+i)))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for j, name := range []string{"level", "type", "size"} {
			if err := os.WriteFile(filepath.Join(d, name), []byte(c[j]+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	l1, l2, l3 := sysCacheSizes(dir)
	if l1 != 64<<10 || l2 != 1<<20 || l3 != 16<<20 {
		t.Errorf("sysCacheSizes = %d, %d, %d; want 64K, 1M, 16M", l1, l2, l3)
	}
	if l1, l2, l3 := CacheSizes(); l1 < 0 || l2 < 0 || l3 < 0 {
		t.Errorf("CacheSizes = %d, %d, %d: negative", l1, l2, l3)
	}
	if c := HostCaches(); (c.Largest() > 0) != (c.Source != "") {
		t.Errorf("HostCaches = %+v: a source without sizes or sizes without a source", c)
	}
}
