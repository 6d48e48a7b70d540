// SPDX-License-Identifier: GPL-2.0-only
/*
 * The key list (`run --keys FILE`, a configuration file) and the tracked set (DATA_DIR/POINT/
 * tracked), both read by rrd/tracked.c. Input: the file's bytes, read as each.
 *
 * Every key either accepts becomes a file name (keys/NAME.rrd): only [a-z0-9_], never a path,
 * and it must parse back to the same key. A tracked set that loads must be saved and read back
 * the same.
 */
#include "fuzz.h"
#include "tracked.h"

static void check_file_name(uint32_t fkey)
{
	char name[16], str[16];
	uint32_t back;

	sw_fkey_file(fkey, name);
	FUZZ_CHECK(name[0] && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(name),
		   "key %#x makes the file name '%s'", fkey, name);
	sw_fkey_str(fkey, str);
	FUZZ_CHECK(!sw_fkey_parse(str, &back) && back == fkey, "key %#x prints as '%s'", fkey, str);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_dir();
	char path[4096], copy[4096], errmsg[1024];
	struct key_list keys = { 0 };
	struct tracked t, back;
	int err;

	snprintf(path, sizeof(path), "%s/keys", dir);
	fuzz_write(path, data, size);
	err = key_list_load(&keys, path, errmsg, sizeof(errmsg));
	FUZZ_CHECK(!err || err == -EINVAL, "key_list_load: %s", strerror(-err));
	if (!err)
		for (size_t i = 0; i < keys.n; i++)
			check_file_name(keys.v[i]);
	key_list_free(&keys);

	tracked_init(&t);
	err = tracked_load(&t, path, errmsg, sizeof(errmsg));
	FUZZ_CHECK(!err || err == -EINVAL, "tracked_load: %s", strerror(-err));
	if (!err) {
		for (size_t i = 0; i < t.nkeys; i++)
			check_file_name(t.keys[i].fkey);
		snprintf(copy, sizeof(copy), "%s/tracked", dir);
		err = tracked_save(&t, copy);
		FUZZ_CHECK(!err, "tracked_save: %s", strerror(-err));
		tracked_init(&back);
		err = tracked_load(&back, copy, errmsg, sizeof(errmsg));
		FUZZ_CHECK(!err, "a saved tracked set does not load: %s", errmsg);
		FUZZ_CHECK(back.nkeys == t.nkeys, "%zu tracked keys saved, %zu loaded", t.nkeys,
			   back.nkeys);
		for (size_t i = 0; i < t.nkeys; i++)
			FUZZ_CHECK(back.keys[i].fkey == t.keys[i].fkey &&
					   !strcmp(back.keys[i].since, t.keys[i].since),
				   "tracked key %zu changed on the way", i);
		FUZZ_CHECK(!memcmp(back.area_since, t.area_since, sizeof(t.area_since)),
			   "tracked areas changed on the way");
		tracked_free(&back);
	}
	tracked_free(&t);
	return 0;
}
