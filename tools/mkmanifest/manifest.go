package main

import (
	"bytes"
	"encoding/json"
)

// Manifest is the JSON document written to corpus/MANIFEST.json.
type Manifest struct {
	Version int    `json:"version"`
	Module  string `json:"module"`
	Tests   []Test `json:"tests"`
}

// Test is one corpus program: a TestXxx function and its labels.
type Test struct {
	Package    string   `json:"package"`
	Dir        string   `json:"dir"`
	Name       string   `json:"name"`
	File       string   `json:"file"`
	Line       int      `json:"line"`
	Category   string   `json:"category"`
	Primitives []string `json:"primitives"`
	Bug        string   `json:"bug"`
	BlockSites []string `json:"block_sites"`
	Split      string   `json:"split"`
}

// The allowed values of each annotation key. The order of primitives is the
// canonical order used in the manifest.
var (
	categories = []string{"correct", "leak", "deadlock"}
	bugs       = []string{"none", "leak", "global-deadlock"}
	splits     = []string{"train", "validation", "test"}
	primitives = []string{
		"chan", "bufchan", "close", "range", "select", "select-default",
		"timer", "ticker", "after", "context",
		"mutex", "rwmutex", "waitgroup", "cond", "once", "atomic",
	}
	// bugForCategory pins the one bug value each category allows.
	bugForCategory = map[string]string{
		"correct":  "none",
		"leak":     "leak",
		"deadlock": "global-deadlock",
	}
)

func indexOf(list []string, v string) int {
	for i, s := range list {
		if s == v {
			return i
		}
	}
	return -1
}

// encode renders the manifest deterministically: two-space indentation, no
// HTML escaping, a trailing newline, and empty lists as [] rather than null.
func encode(m *Manifest) ([]byte, error) {
	for i := range m.Tests {
		if m.Tests[i].BlockSites == nil {
			m.Tests[i].BlockSites = []string{}
		}
		if m.Tests[i].Primitives == nil {
			m.Tests[i].Primitives = []string{}
		}
	}
	if m.Tests == nil {
		m.Tests = []Test{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
