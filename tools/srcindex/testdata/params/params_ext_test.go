// The external test package: it calls the package's Spawn from a loop and once more after it.
package params_test

import (
	"testing"

	"params.test"
)

func TestSpawnFromOutside(t *testing.T) {
	out := make(chan int)
	for i := 0; i < 3; i++ {
		params.Spawn(out, i)
	}
	params.Spawn(out, 3)
	sum := 0
	for i := 0; i < 4; i++ {
		sum += <-out
	}
	if sum != 6 {
		t.Errorf("sum %d", sum)
	}
}
