//go:build race

package ingest

// raceDetector: the tests run under the race detector, which makes an import several times
// slower; the kill test then uses a smaller file.
const raceDetector = true
