package app

import (
	"testing"

	"example.org/lib"
)

func TestBump(t *testing.T) { lib.Bump() }
