package catalog

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// listYAML walks root and returns its YAML files (slash-separated paths),
// and names the entries that are not regular files: symbolic links are not
// followed, a named pipe is never opened.
func listYAML(ctx context.Context, root *os.Root) (files []string, notRegular []Skipped, err error) {
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(name, ".") || name == "node_modules") {
				return fs.SkipDir
			}
			return nil
		}
		yamlName := isYAMLName(name)
		switch t := d.Type(); {
		case t.IsRegular():
			if yamlName {
				files = append(files, p)
			}
		case t&fs.ModeSymlink != 0:
			notRegular = append(notRegular, Skipped{File: filepath.FromSlash(p), Why: "symbolic link"})
		case yamlName:
			notRegular = append(notRegular, Skipped{File: filepath.FromSlash(p), Why: fileKind(t)})
		}
		return nil
	})
	return files, notRegular, err
}

func isYAMLName(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "not a regular file"
}

// errNotRegular refuses a name inside the folder that is not a regular file.
var errNotRegular = errors.New("not a regular file")

// dirFS is a folder on disk as an import reads it: only what is inside it
// (os.Root refuses a link out of it), and only regular files and folders.
// It opens without blocking, so a name that became a named pipe since the
// folder was listed is refused rather than waited on.
type dirFS struct{ root *os.Root }

func (d dirFS) Open(name string) (fs.File, error) {
	f, err := d.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !info.Mode().IsRegular() && !info.IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errNotRegular}
	}
	return f, nil
}
