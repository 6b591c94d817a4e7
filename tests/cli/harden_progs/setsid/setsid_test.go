// A test that starts a child in a new session (setsid), outside the run's process group: only
// its environment ties it to the collector. Used by tests/cli/harden_process_test.cc, which sets
// HARDEN_SLEEP to a unique duration so that it can find the child.
package setsid

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

func TestStartsSessionLeader(t *testing.T) {
	d := os.Getenv("HARDEN_SLEEP")
	if d == "" {
		t.Skip("HARDEN_SLEEP not set")
	}
	cmd := exec.Command("sleep", d)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Second)
}
