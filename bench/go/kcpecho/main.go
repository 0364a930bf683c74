// kcpecho: K1's peer, an echo server on kcp-go (github.com/xtaci/kcp-go/v5) written by the
// project the way kcp-go's own examples are: ListenWithOptions without FEC or encryption,
// AcceptKCP, and one goroutine per session that writes back whatever Read returns.
//
//	kcpecho [-port 0] [-nodelay 1] [-interval 10] [-resend 2] [-nc 1] [-sndwnd 128]
//	        [-rcvwnd 128] [-mtu 1400] [-acknodelay]
//
// Every session gets K1's KCP settings (the same as hpsocket's server and the load
// generator) in message mode (SetStreamMode(false)), so one Read returns one KCP message.
// Prints "listening ADDR" once bound, then serves until killed. Run it with GOMAXPROCS=1
// pinned to one CPU: the Go runtime's extra threads (sysmon, GC) are counted with it.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"

	kcp "github.com/xtaci/kcp-go/v5"
)

func main() {
	port := flag.Int("port", 0, "UDP port on 127.0.0.1 (0: any free one)")
	nodelay := flag.Int("nodelay", 1, "KCP nodelay")
	interval := flag.Int("interval", 10, "KCP update interval, ms")
	resend := flag.Int("resend", 2, "KCP fast resend after this many later acks")
	nc := flag.Int("nc", 1, "KCP congestion control off (1)")
	sndwnd := flag.Int("sndwnd", 128, "send window, segments")
	rcvwnd := flag.Int("rcvwnd", 128, "receive window, segments")
	mtu := flag.Int("mtu", 1400, "KCP MTU")
	ackNoDelay := flag.Bool("acknodelay", false,
		"send every ACK at once (kcp-go's default waits for the next flush or write)")
	rcvbuf := flag.Int("rcvbuf", 0, "SO_RCVBUF of the listening socket (0: the kernel's default)")
	flag.Parse()

	// Loopback only: this is a benchmark peer.
	l, err := kcp.ListenWithOptions(fmt.Sprintf("127.0.0.1:%d", *port), nil, 0, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kcpecho: listen:", err)
		os.Exit(1)
	}
	if *rcvbuf > 0 {
		if err := l.SetReadBuffer(*rcvbuf); err != nil {
			fmt.Fprintln(os.Stderr, "kcpecho: SO_RCVBUF:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("listening %s\n", l.Addr().(*net.UDPAddr).String())
	os.Stdout.Sync()
	for {
		s, err := l.AcceptKCP()
		if err != nil {
			fmt.Fprintln(os.Stderr, "kcpecho: accept:", err)
			os.Exit(1)
		}
		s.SetStreamMode(false)
		s.SetWriteDelay(false)
		s.SetNoDelay(*nodelay, *interval, *resend, *nc)
		s.SetWindowSize(*sndwnd, *rcvwnd)
		s.SetMtu(*mtu)
		s.SetACKNoDelay(*ackNoDelay)
		go echo(s)
	}
}

// echo writes back every message read, until the session fails.
func echo(s *kcp.UDPSession) {
	defer s.Close()
	// Large enough for any message the load generator sends (128 KiB), so Read hands over
	// whole messages.
	buf := make([]byte, 1<<20)
	for {
		n, err := s.Read(buf)
		if err != nil {
			return
		}
		if _, err := s.Write(buf[:n]); err != nil {
			return
		}
	}
}
