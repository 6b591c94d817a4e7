package main

import (
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"sort"
)

// The split of each program is written in its annotation, which stays the
// source of truth. suggestSplits computes the rule those annotations were
// produced with, so that it can be re-applied when programs are added:
//
// Within each package directory, programs are ordered by the FNV-1a 32-bit
// hash of "dir/TestName" (ties by name). The first round(27%) of them, at
// least one, go to test, the next round(15%), at least one, to validation,
// and the rest to train. Stratifying by directory spreads every theme and
// every bug kind over the three splits; splitting by program (never by run)
// keeps all runs of one program in one split.
func suggestSplits(tests []Test) map[string]string {
	byDir := map[string][]Test{}
	for _, t := range tests {
		byDir[t.Dir] = append(byDir[t.Dir], t)
	}
	out := map[string]string{}
	for dir, ts := range byDir {
		sort.Slice(ts, func(i, j int) bool {
			hi, hj := splitHash(dir, ts[i].Name), splitHash(dir, ts[j].Name)
			if hi != hj {
				return hi < hj
			}
			return ts[i].Name < ts[j].Name
		})
		nTest := atLeastOne(0.27 * float64(len(ts)))
		nVal := atLeastOne(0.15 * float64(len(ts)))
		for i, t := range ts {
			split := "train"
			switch {
			case i < nTest:
				split = "test"
			case i < nTest+nVal:
				split = "validation"
			}
			out[dir+"/"+t.Name] = split
		}
	}
	return out
}

func splitHash(dir, name string) uint32 {
	h := fnv.New32a()
	io.WriteString(h, dir+"/"+name)
	return h.Sum32()
}

// atLeastOne rounds half away from zero and never returns less than 1.
func atLeastOne(x float64) int {
	n := int(math.Round(x))
	if n < 1 {
		return 1
	}
	return n
}

// reportSplits prints every test whose annotated split differs from the
// rule's suggestion and returns how many differ.
func reportSplits(w io.Writer, m *Manifest) int {
	want := suggestSplits(m.Tests)
	diff := 0
	for _, t := range m.Tests {
		if s := want[t.Dir+"/"+t.Name]; s != t.Split {
			fmt.Fprintf(w, "%s:%d: %s is split=%s; the rule suggests split=%s\n", t.File, t.Line, t.Name, t.Split, s)
			diff++
		}
	}
	return diff
}
