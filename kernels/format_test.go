package kernels

import (
	"encoding/json"
	"testing"
)

func TestFormatText(t *testing.T) {
	m := map[Format]float64{}
	for i, f := range Formats {
		m[f] = float64(i)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"fp16":1,"fp32":0,"int4":3,"int8":2}`; string(b) != want {
		t.Errorf("json %s, want %s", b, want)
	}
	var back map[Format]float64
	if err := json.Unmarshal(b, &back); err != nil || len(back) != len(Formats) || back[Int4] != 3 {
		t.Errorf("decoded %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"bf16":1}`), &back); err == nil {
		t.Error("bf16 decoded without error")
	}
	if _, err := json.Marshal(FormatNamed("bf16")); err == nil {
		t.Error("FormatNamed(bf16) encoded without error")
	}
	for _, f := range Formats {
		if FormatNamed(f.String()) != f {
			t.Errorf("FormatNamed(%q) = %v", f.String(), FormatNamed(f.String()))
		}
	}
}
