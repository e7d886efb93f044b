// gofeed-peer parses the same files as tributary's parser benchmark with
// github.com/mmcdole/gofeed, so the two throughputs are measured in one run
// on one machine. Usage: gofeed-peer ITERATIONS FILE...
// Prints one line: "bytes=<n> items=<n> seconds=<s> failures=<n> cpu_seconds=<s>" (wall-clock
// seconds, and the CPU time of the whole process: parsing plus the garbage collector's threads).
package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/mmcdole/gofeed"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: gofeed-peer ITERATIONS FILE...")
		os.Exit(2)
	}
	iterations, err := strconv.Atoi(os.Args[1])
	if err != nil || iterations < 1 {
		fmt.Fprintln(os.Stderr, "ITERATIONS must be a positive integer")
		os.Exit(2)
	}
	var documents [][]byte
	for _, path := range os.Args[2:] {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		documents = append(documents, data)
	}
	parser := gofeed.NewParser()
	var totalBytes, items, failures int64
	cpuStart := cpuSeconds()
	start := time.Now()
	for i := 0; i < iterations; i++ {
		for _, data := range documents {
			totalBytes += int64(len(data))
			feed, err := parser.Parse(bytes.NewReader(data))
			if err != nil {
				failures++
				continue
			}
			items += int64(len(feed.Items))
		}
	}
	seconds := time.Since(start).Seconds()
	cpu := cpuSeconds() - cpuStart
	fmt.Printf("bytes=%d items=%d seconds=%.6f failures=%d cpu_seconds=%.6f\n", totalBytes, items,
		seconds, failures, cpu)
}

// cpuSeconds is the user+system CPU time of the process so far: on a shared machine it moves
// far less with other load than wall-clock time does.
func cpuSeconds() float64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}
