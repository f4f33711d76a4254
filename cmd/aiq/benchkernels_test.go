package main

import (
	"math"
	"testing"
)

// The shape table must reproduce the models' layer and MAC counts from
// MISSION.md (ResNet-20: 20 layers, 40.6M MACs; MobileNetV2: 53, 88.0M).
func TestModelShapes(t *testing.T) {
	for model, want := range map[string]struct {
		layers int
		macs   float64
	}{"resnet20": {20, 40.6e6}, "mobilenetv2": {53, 88.0e6}} {
		layers, macs := 0, 0
		for _, l := range modelShapes[model] {
			layers += l.count
			macs += l.count * l.macs()
		}
		if layers != want.layers || math.Abs(float64(macs)-want.macs) > 0.05e6 {
			t.Errorf("%s: %d layers, %.2fM MACs; want %d, %.1fM", model, layers, float64(macs)/1e6, want.layers, want.macs/1e6)
		}
	}
}
