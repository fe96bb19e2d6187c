// Command linelen fails when a Go line is longer than -max columns once its
// string literals are counted as "" (a long message or a struct tag may run
// on; code and comments may not). Generated files are skipped. Tabs count
// as -tab columns.
//
//	go run . -max 120 DIR...
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var generated = regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)

func main() {
	limit := flag.Int("max", 120, "longest line allowed, in columns")
	tab := flag.Int("tab", 4, "columns a tab counts for")
	flag.Parse()
	bad := 0
	for _, root := range flag.Args() {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, l := range long(src, *limit, *tab) {
				fmt.Printf("%s:%d: line of %d columns (at most %d)\n", path, l.line, l.cols, *limit)
				bad++
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	if bad > 0 {
		fmt.Fprintf(os.Stderr, "%d Go lines over %d columns: wrap them\n", bad, *limit)
		os.Exit(1)
	}
}

type finding struct{ line, cols int }

// long returns the lines of src over limit columns, string literals
// counted as two columns.
func long(src []byte, limit, tab int) []finding {
	if generated.Match(src) {
		return nil
	}
	lines := bytes.Split(src, []byte("\n"))
	// Columns each line loses because of the string literals on it.
	saved := make([]int, len(lines)+1)
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, scanner.ScanComments)
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok != token.STRING {
			continue
		}
		start := file.Position(pos)
		// A raw string over several lines: each of its lines is text.
		parts := strings.Split(lit, "\n")
		for i, p := range parts {
			n := start.Line + i
			if n >= len(saved) {
				break
			}
			w := width(p, tab)
			if i == 0 || i == len(parts)-1 {
				w-- // keep the quote
			}
			saved[n] += max(w, 0)
		}
	}
	var out []finding
	output := false // inside an example's "// Output:" block, which must match byte for byte
	for i, l := range lines {
		t := strings.TrimSpace(string(l))
		if t == "// Output:" || t == "// Unordered output:" {
			output = true
		} else if !strings.HasPrefix(t, "//") {
			output = false
		}
		if output {
			continue
		}
		if c := width(string(l), tab) - saved[i+1]; c > limit {
			out = append(out, finding{line: i + 1, cols: c})
		}
	}
	return out
}

func width(s string, tab int) int {
	w := 0
	for _, r := range s {
		if r == '\t' {
			w += tab
		} else if r != '\r' {
			w++
		}
	}
	return w
}
