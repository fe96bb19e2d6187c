package names

import (
	"slices"
	"testing"
)

func TestLambdasAreListedOnceInDirectoryOrder(t *testing.T) {
	var dirs []string
	for _, l := range Lambdas {
		dirs = append(dirs, l.Dir)
	}
	if !slices.IsSorted(dirs) || len(slices.Compact(slices.Clone(dirs))) != len(dirs) {
		t.Errorf("Lambdas = %v: want each directory once, sorted", dirs)
	}
}

func TestLambdaEnvPanicsOnAnUnknownFunction(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("LambdaEnv of an unknown function did not panic")
		}
	}()
	LambdaEnv("no-such-function")
}
