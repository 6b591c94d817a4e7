// Package chans holds correct programs built around channel sends, receives,
// buffering, close and range. Each TestXxx is one program of the schedcast
// corpus; its annotation comment is the single source of truth for its labels.
package chans
