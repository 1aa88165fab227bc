/*
 * zio.h -- open an input as a readable stdio stream, decompressing gzip,
 * bzip2, xz and zstd on the fly, and tell capture files from the rest.
 *
 * The compression format is found from the first bytes of the content, never
 * from the file name. Decompression runs in this process through zlib,
 * libbz2, liblzma and libzstd behind a glibc fopencookie() stream, so the
 * FILE * can be handed to pcap_fopen_offline_with_tstamp_precision() as it
 * is: no program is spawned and no temporary file is written. "-" is
 * standard input, compressed or not, seekable or not (the magic bytes are
 * read ahead and replayed). Concatenated gzip members, bzip2 and xz streams
 * (with xz stream padding) and zstd frames, as rotated logs often are, read
 * as one stream; anything else after the last one is an error ("trailing
 * garbage"), zero padding after gzip included.
 *
 * Memory per open stream is bounded whatever the input: a 64 KiB input
 * buffer plus the decoder state, whose xz and zstd windows are capped at
 * 128 MiB (ZIO_XZ_MEMLIMIT, ZIO_ZSTD_WINDOWLOG_MAX in zio-int.h); a stream
 * that needs more fails with a message saying so. A decompression bomb is
 * only a long stream. The stream does not pick its stdio buffer size:
 * callers reading in bulk should setvbuf() a large buffer before the first
 * read, as reader.c does. ftell() gives the decompressed offset; other seeks
 * fail (ESPIPE).
 *
 * Ownership: the FILE * belongs to the caller, and fclose() (or pcap_close()
 * of the pcap_t it was handed to) releases everything, including the file
 * descriptor (but never standard input's). The struct zio_info is borrowed:
 * it must stay valid for as long as the stream is read, and is written only
 * by zio_open() and by reads (fclose() does not touch it).
 *
 * Errors: zio_open() and zio_is_capture() return NULL / -1 and leave
 * "path: reason" in the caller's buffer: missing, unreadable, a directory,
 * out of memory, or compressed data whose first bytes cannot be decoded
 * (corrupt or truncated header; with bzip2 and zstd, which decode whole
 * blocks, also damage inside the first block). zio_open() then leaves errno
 * saying which: EINVAL for content that cannot be decoded, ENOMEM, else the
 * errno of open(2), fstat(2) or read(2) (EISDIR for a directory): the file
 * cannot be read at all. A problem later in the
 * stream (corrupt or truncated compressed data, a read error, trailing
 * garbage, a window above the memory cap) makes the read fail: fread() comes
 * back short with ferror() set and errno EIO (or the read(2) errno), so
 * libpcap reports the capture as unreadable from there on; every read after
 * that fails too. Data decoded before the fault is delivered first; as the
 * checksums come at the end of a block or member, that data may itself be
 * damaged. info->error then holds the precise reason, without the path,
 * e.g. "corrupt gzip stream at compressed byte 1234 (invalid distance too
 * far back)" or "truncated xz stream (ends at compressed byte 5678)".
 *
 * Each stream is independent: different streams may be used from different
 * threads. info is written by whichever thread reads the stream.
 */
#ifndef PORTSLEUTH_ZIO_H
#define PORTSLEUTH_ZIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum zio_kind {
	ZIO_PLAIN,		/* not compressed (or not a format we know) */
	ZIO_GZIP,		/* RFC 1952, any number of members */
	ZIO_BZIP2,		/* bzip2, any number of streams */
	ZIO_XZ,			/* .xz container, any number of streams */
	ZIO_ZSTD,		/* RFC 8878, any number of frames */
};

/* What an open stream is and how it went; filled in by zio_open(). */
struct zio_info {
	enum zio_kind kind;	/* compression found by magic */
	uint64_t in_bytes;	/* bytes read from the file so far (progress) */
	char error[192];	/* reason a read failed, "" while none did */
};

/*
 * Open path ("-": standard input) for reading, decompressing if its content
 * is compressed. info may be NULL. NULL with "path: reason" in err on
 * failure.
 */
FILE *zio_open(const char *path, struct zio_info *info, char *err,
    size_t errlen);

/*
 * Does path hold a pcap or pcapng capture, after decompression? 1 yes, 0 no
 * (including files too short to tell, and anything but regular files and
 * directories, so a FIFO is never opened), -1 with "path: reason" in err
 * when it cannot be told: missing, unreadable, a directory, a corrupt or
 * truncated compressed file, "-". err may be NULL when errlen is 0.
 */
int zio_is_capture(const char *path, char *err, size_t errlen);

/*
 * Do the first len bytes of a (decompressed) stream start a capture? pcap
 * magic in either byte order (microsecond 0xa1b2c3d4, nanosecond 0xa1b23c4d,
 * Kuznetzov's patched 0xa1b2cd34, all read by libpcap) or a pcapng section
 * header block (0x0a0d0d0a). 1 yes, 0 no.
 */
int zio_capture_magic(const void *buf, size_t len);

/* "plain", "gzip", "bzip2", "xz", "zstd". */
const char *zio_kind_name(enum zio_kind k);

#endif
