// Package durable holds what keeps a run's files safe from a crash or a second run: a lock held
// for the life of a run, so that two runs sharing a folder never overlap (the operating system
// releases it when the process ends, however it ends, so a killed run never leaves a folder
// locked), and the directory sync that makes a new or renamed file survive a power loss.
package durable

import (
	"errors"
	"fmt"
	"os"
)

// ErrHeld is Lock's answer when another process holds the lock.
var ErrHeld = errors.New("locked by another process")

// SyncDir makes the entries of dir durable: a file created or renamed in it.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
