//go:build !unix

package reverse

import (
	"errors"
	"io/fs"
	"os"
)

// lockFile takes the lock by creating path exclusively. Without flock a killed run leaves the
// file behind: the lock error names it so that it can be deleted once no run is left.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, errLocked
	}
	return f, err
}

// unlockFile releases a lock taken by lockFile.
func unlockFile(f *os.File) error {
	if err := f.Close(); err != nil {
		return err
	}
	return os.Remove(f.Name())
}
