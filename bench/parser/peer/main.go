// gofeed-peer parses the same files as tributary's parser benchmark with
// github.com/mmcdole/gofeed, so the two throughputs are measured in one run
// on one machine. Usage: gofeed-peer ITERATIONS FILE...
// Prints one line: "bytes=<n> items=<n> seconds=<s> failures=<n>".
package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
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
	fmt.Printf("bytes=%d items=%d seconds=%.6f failures=%d\n", totalBytes, items, seconds, failures)
}
