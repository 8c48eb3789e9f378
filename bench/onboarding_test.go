package main

import "testing"

// TestOnboardingFigures runs the figure small, so go test keeps it working.
func TestOnboardingFigures(t *testing.T) {
	figs, err := onboardingFigures(testRepos)
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 1 {
		t.Fatalf("figures: %+v", figs)
	}
	t.Log(figs[0].name, figs[0].value)
}

// testRepos keeps go test quick; go run ./bench measures 10,000.
var testRepos = 200
