/*
 * check_sha256.c -- unit tests for the SHA-256 module: the FIPS 180-4 /
 * NIST CAVP example vectors, every split of a message over two updates,
 * lengths around each padding boundary, and agreement with coreutils
 * sha256sum(1) on generated files and on the sample captures.
 *
 * Sample captures are found under $SRCDIR (exported by make check) or ".".
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"
#include "xmalloc.h"

static void
assert_digest(const void *msg, size_t len, const char *want)
{
	uint8_t d[SHA256_LEN];
	char hex[SHA256_HEX_LEN];

	sha256(msg, len, d);
	sha256_hex(d, hex);
	ck_assert_str_eq(hex, want);
}

/* NIST examples (csrc.nist.gov, SHA256.pdf and SHA2_Additional.pdf). */
START_TEST(nist_vectors)
{
	static const char m448[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char m896[] =
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	uint8_t one = 0xbd;

	assert_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	assert_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	assert_digest(m448, strlen(m448), "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	assert_digest(m896, strlen(m896), "cf5b16a778af8380036ce59e7b049237"
	    "0b249b11e8f07a51afac45037afee9d1");
	assert_digest(&one, 1, "68325720aabd7c82f30f554b313d0570"
	    "c95accbb7dc4b5aae11204c08ffe732b");
}
END_TEST

/* One million 'a', fed in uneven pieces. */
START_TEST(million_a)
{
	struct sha256 c;
	uint8_t d[SHA256_LEN];
	char hex[SHA256_HEX_LEN], *buf = xmalloc(1000);
	size_t done = 0, step = 1;

	memset(buf, 'a', 1000);
	sha256_init(&c);
	while (done < 1000000) {
		size_t n = 1000000 - done < step ? 1000000 - done : step;

		sha256_update(&c, buf, n);
		done += n;
		step = step % 983 + 13; /* 13..995: fits buf */
	}
	sha256_final(&c, d);
	sha256_hex(d, hex);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
	free(buf);
}
END_TEST

/* Any split of a message over two updates gives the one-shot digest. */
START_TEST(every_split)
{
	uint8_t msg[300], want[SHA256_LEN], got[SHA256_LEN];
	size_t len = (size_t)_i, cut;
	struct sha256 c;

	for (cut = 0; cut < sizeof(msg); cut++)
		msg[cut] = (uint8_t)(cut * 7 + 3);
	sha256(msg, len, want);
	for (cut = 0; cut <= len; cut++) {
		sha256_init(&c);
		sha256_update(&c, msg, cut);
		sha256_update(&c, msg + cut, 0);
		sha256_update(&c, msg + cut, len - cut);
		sha256_final(&c, got);
		ck_assert_mem_eq(got, want, SHA256_LEN);
	}
}
END_TEST

/* sha256sum's answer for a file, or "" when it cannot be run. */
static void
sha256sum(const char *path, char out[SHA256_HEX_LEN])
{
	char cmd[4096];
	FILE *p;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(out, SHA256_HEX_LEN, p));
	ck_assert_int_eq(pclose(p), 0);
}

static void
hash_file(const char *path, char hex[SHA256_HEX_LEN])
{
	struct sha256 c;
	uint8_t buf[1000], d[SHA256_LEN];
	size_t n;
	FILE *fp = fopen(path, "rb");

	ck_assert_ptr_nonnull(fp);
	sha256_init(&c);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sha256_update(&c, buf, n);
	ck_assert(!ferror(fp));
	fclose(fp);
	sha256_final(&c, d);
	sha256_hex(d, hex);
}

/* Lengths 0..200 cover every padding case (55, 56, 63, 64, 119, 120...). */
START_TEST(vs_sha256sum_lengths)
{
	char path[] = "/tmp/check_sha256.XXXXXX";
	char want[SHA256_HEX_LEN], got[SHA256_HEX_LEN];
	int fd = mkstemp(path);
	size_t len, i;
	FILE *fp;

	ck_assert_int_ge(fd, 0);
	close(fd);
	for (len = 0; len <= 200; len++) {
		fp = fopen(path, "wb");
		ck_assert_ptr_nonnull(fp);
		for (i = 0; i < len; i++)
			putc((int)((i * 31 + len) & 0xff), fp);
		ck_assert_int_eq(fclose(fp), 0);
		sha256sum(path, want);
		hash_file(path, got);
		ck_assert_str_eq(got, want);
	}
	unlink(path);
}
END_TEST

START_TEST(vs_sha256sum_samples)
{
	static const char *const files[] = {
		"samples/s01_syn_hostfw.pcap",
		"samples/s04_fin_hostfw_pcapng.pcapng",
		"samples/s10_ips_synack_all.pcap",
		"samples/split/s17_part1.pcap",
	};
	const char *dir = getenv("SRCDIR");
	char path[4096], want[SHA256_HEX_LEN], got[SHA256_HEX_LEN];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".",
		    files[i]);
		sha256sum(path, want);
		hash_file(path, got);
		ck_assert_str_eq(got, want);
	}
}
END_TEST

static Suite *
sha256_suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("valid");

	tcase_add_test(tc, nist_vectors);
	tcase_add_test(tc, million_a);
	tcase_add_loop_test(tc, every_split, 0, 140);
	suite_add_tcase(s, tc);
	tc = tcase_create("sha256sum");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, vs_sha256sum_lengths);
	tcase_add_test(tc, vs_sha256sum_samples);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sha256_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
