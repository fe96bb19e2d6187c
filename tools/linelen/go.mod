module github.com/isb-go/isb/tools/linelen

go 1.26
