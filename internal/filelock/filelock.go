// Package filelock holds a file locked for the life of a run, so that two runs sharing a folder
// never overlap. The operating system releases the lock when the process ends, however it ends:
// a killed run never leaves a folder locked.
package filelock

import "errors"

// ErrHeld is Lock's answer when another process holds the lock.
var ErrHeld = errors.New("locked by another process")
