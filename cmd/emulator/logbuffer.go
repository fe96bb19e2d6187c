package emulator

import "sync"

// logBuffer keeps the last max bytes written to it and counts everything
// written, so a test can ask for what arrived since it started.
type logBuffer struct {
	mu      sync.Mutex
	max     int
	buf     []byte
	written int64 // total bytes ever written
}

func newLogBuffer(max int) *logBuffer { return &logBuffer{max: max} }

// Write implements io.Writer; it never fails.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	b.written += int64(len(p))
	return len(p), nil
}

// Mark is the position of the next byte to be written.
func (b *logBuffer) Mark() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.written
}

// Since returns what was written after mark, at most its last max bytes.
func (b *logBuffer) Since(mark int64, max int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.written - mark
	if n > int64(len(b.buf)) {
		n = int64(len(b.buf))
	}
	if n > int64(max) {
		n = int64(max)
	}
	if n <= 0 {
		return ""
	}
	return string(b.buf[len(b.buf)-int(n):])
}

// Tail returns the last max bytes written.
func (b *logBuffer) Tail(max int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) > max {
		return string(b.buf[len(b.buf)-max:])
	}
	return string(b.buf)
}
