/* test-member-key.c: tests for src/core/till-member-key.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "till-core.h"
#include "till-test-util.h"

/* Says which error came instead, when another did. */
#define ck_assert_error(error, domain, code)                                                \
  ck_assert_msg (g_error_matches ((error), (domain), (code)), "expected error %d, got: %s", \
                 (int) (code), (error) != NULL ? (error)->message : "no error")

static char *scratch;

static void
setup (void)
{
  scratch = till_test_make_tmpdir ();
}

static void
teardown (void)
{
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

static TillMemberKey *
key_with_fill (guint8 fill)
{
  guint8 bytes[64];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) (fill + i);
  return till_member_key_new_from_bytes (bytes);
}

static gboolean
bytes_contain (GBytes *haystack, const char *needle)
{
  gsize         size;
  const guint8 *data = g_bytes_get_data (haystack, &size);

  gsize len = strlen (needle);

  for (gsize i = 0; len <= size && i <= size - len; i++)
    if (memcmp (data + i, needle, len) == 0)
      return TRUE;
  return FALSE;
}

/* /core/member-key/round-trip: what is sealed opens to the same text, the
 * sealed bytes hold no plain text, and two seals differ (fresh nonce). */
START_TEST (test_round_trip)
{
  g_autoptr (TillMemberKey) key = key_with_fill (1);
  g_autoptr (GError) error = NULL;
  const char *texts[] = { "13812341234", "王小丽", "1990-05-17", "" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (GBytes) sealed = till_member_key_seal (key, texts[i]);
      g_autoptr (GBytes) again = till_member_key_seal (key, texts[i]);
      g_autofree char *opened = till_member_key_open (key, sealed, &error);

      ck_assert_msg (opened != NULL, "%s", error ? error->message : "");
      ck_assert_str_eq (opened, texts[i]);
      ck_assert_uint_eq (g_bytes_get_size (sealed), strlen (texts[i]) + 12 + 16);
      ck_assert (!g_bytes_equal (sealed, again));
      if (*texts[i] != '\0')
        ck_assert (!bytes_contain (sealed, texts[i]));
    }
}
END_TEST

/* /core/member-key/tamper: flipping any byte (nonce, ciphertext or tag)
 * makes the value refuse to open. */
START_TEST (test_tamper)
{
  g_autoptr (TillMemberKey) key = key_with_fill (1);
  g_autoptr (GBytes) sealed = till_member_key_seal (key, "13812341234");
  gsize size = g_bytes_get_size (sealed);

  for (gsize i = 0; i < size; i++)
    {
      g_autoptr (GError) error = NULL;
      guint8 *copy = g_memdup2 (g_bytes_get_data (sealed, NULL), size);
      g_autoptr (GBytes) altered = NULL;
      g_autofree char *opened = NULL;

      copy[i] ^= 0x01;
      altered = g_bytes_new_take (copy, size);
      opened = till_member_key_open (key, altered, &error);
      ck_assert_msg (opened == NULL, "byte %zu altered still opens", i);
      ck_assert_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_TAMPERED);
    }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) short_bytes = g_bytes_new ("abc", 3);
    g_autofree char *opened = till_member_key_open (key, short_bytes, &error);

    ck_assert_ptr_null (opened);
    ck_assert_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_TAMPERED);
  }
}
END_TEST

/* /core/member-key/wrong-key: another key does not open the value. */
START_TEST (test_wrong_key)
{
  g_autoptr (TillMemberKey) key = key_with_fill (1);
  g_autoptr (TillMemberKey) other = key_with_fill (2);
  g_autoptr (GBytes) sealed = till_member_key_seal (key, "王小丽");
  g_autoptr (GError) error = NULL;
  g_autofree char *opened = till_member_key_open (other, sealed, &error);

  ck_assert_ptr_null (opened);
  ck_assert_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_TAMPERED);
}
END_TEST

/* /core/member-key/hashes: the lookup hash is stable for one key, differs
 * between keys and between texts, and the QR tag is 16 hex digits that
 * depend on the key. */
START_TEST (test_hashes)
{
  g_autoptr (TillMemberKey) key = key_with_fill (1);
  g_autoptr (TillMemberKey) same = key_with_fill (1);
  g_autoptr (TillMemberKey) other = key_with_fill (2);
  g_autoptr (GBytes) hash = till_member_key_lookup_hash (key, "13812341234");
  g_autoptr (GBytes) hash_same = till_member_key_lookup_hash (same, "13812341234");
  g_autoptr (GBytes) hash_other = till_member_key_lookup_hash (other, "13812341234");
  g_autoptr (GBytes) hash_next = till_member_key_lookup_hash (key, "13812341235");
  g_autofree char *tag = till_member_key_tag (key, "some-id");
  g_autofree char *tag_other = till_member_key_tag (other, "some-id");

  ck_assert_uint_eq (g_bytes_get_size (hash), 32);
  ck_assert (g_bytes_equal (hash, hash_same));
  ck_assert (!g_bytes_equal (hash, hash_other));
  ck_assert (!g_bytes_equal (hash, hash_next));
  ck_assert_uint_eq (strlen (tag), 16);
  for (const char *p = tag; *p != '\0'; p++)
    ck_assert (g_ascii_isxdigit (*p) && !g_ascii_isupper (*p));
  ck_assert_str_ne (tag, tag_other);
}
END_TEST

/* /core/member-key/file: made 0600 with 64 bytes on first use, the same key
 * when loaded again (a value sealed before opens after). */
START_TEST (test_file_create_and_load)
{
  g_autofree char *path = g_build_filename (scratch, "member.key", NULL);
  g_autofree char *tmp_path = g_strconcat (path, ".tmp", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMemberKey) key = till_member_key_load_or_create (path, &error);
  g_autoptr (TillMemberKey) again = NULL;
  g_autoptr (GBytes) sealed = NULL;
  g_autofree char *opened = NULL;
  GStatBuf         st;

  ck_assert_msg (key != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (g_stat (path, &st), 0);
  ck_assert_uint_eq (st.st_mode & 07777, 0600);
  ck_assert_int_eq (st.st_size, 64);
  ck_assert (!g_file_test (tmp_path, G_FILE_TEST_EXISTS));

  sealed = till_member_key_seal (key, "13812341234");
  again = till_member_key_load_or_create (path, &error);
  ck_assert_msg (again != NULL, "%s", error ? error->message : "");
  opened = till_member_key_open (again, sealed, &error);
  ck_assert_msg (opened != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (opened, "13812341234");
}
END_TEST

/* /core/member-key/file-mode: a key others could read is refused. */
START_TEST (test_file_mode_refused)
{
  g_autofree char *path = g_build_filename (scratch, "member.key", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMemberKey) key = till_member_key_load_or_create (path, &error);
  g_autoptr (TillMemberKey) loaded = NULL;

  ck_assert_msg (key != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (g_chmod (path, 0640), 0);
  loaded = till_member_key_load_or_create (path, &error);
  ck_assert_ptr_null (loaded);
  ck_assert_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_FILE);
  ck_assert_ptr_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  ck_assert_int_eq (g_chmod (path, 0604), 0);
  loaded = till_member_key_load_or_create (path, &error);
  ck_assert_ptr_null (loaded);
  ck_assert_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_FILE);
  g_clear_error (&error);

  ck_assert_int_eq (g_chmod (path, 0700), 0);
  loaded = till_member_key_load_or_create (path, &error);
  ck_assert_ptr_null (loaded);
  ck_assert_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_FILE);
  g_clear_error (&error);

  /* 0400 is narrower than 0600: fine. */
  ck_assert_int_eq (g_chmod (path, 0400), 0);
  loaded = till_member_key_load_or_create (path, &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
}
END_TEST

/* /core/member-key/file-size: a file of any other size is refused, and is
 * left as it was (never replaced by a new key). */
START_TEST (test_file_size_refused)
{
  g_autofree char *path = g_build_filename (scratch, "member.key", NULL);
  const gsize      sizes[] = { 0, 32, 63, 65, 128 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *contents = g_strnfill (sizes[i], 'k');
      g_autoptr (TillMemberKey) key = NULL;
      GStatBuf st;

      ck_assert (g_file_set_contents_full (path, contents, (gssize) sizes[i],
                                           G_FILE_SET_CONTENTS_NONE, 0600, NULL));
      key = till_member_key_load_or_create (path, &error);
      ck_assert_msg (key == NULL, "a key file of %zu bytes was taken", sizes[i]);
      ck_assert_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_FILE);
      ck_assert_int_eq (g_stat (path, &st), 0);
      ck_assert_int_eq (st.st_size, (gint64) sizes[i]);
    }
}
END_TEST

/* /core/member-key/two-files: two tills without a shared key file have
 * different keys: different lookup hashes for the same phone. */
START_TEST (test_two_files_differ)
{
  g_autofree char *path_a = g_build_filename (scratch, "a.key", NULL);
  g_autofree char *path_b = g_build_filename (scratch, "b.key", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMemberKey) key_a = till_member_key_load_or_create (path_a, &error);
  g_autoptr (TillMemberKey) key_b = till_member_key_load_or_create (path_b, &error);
  g_autoptr (GBytes) hash_a = NULL;
  g_autoptr (GBytes) hash_b = NULL;

  ck_assert (key_a != NULL && key_b != NULL);
  hash_a = till_member_key_lookup_hash (key_a, "13812341234");
  hash_b = till_member_key_lookup_hash (key_b, "13812341234");
  ck_assert (!g_bytes_equal (hash_a, hash_b));
}
END_TEST

/* /core/member-key/missing-dir: a key file that cannot be made is an error
 * naming the path, not a crash. */
START_TEST (test_file_unwritable)
{
  g_autofree char *path = g_build_filename (scratch, "no-such-dir", "member.key", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMemberKey) key = till_member_key_load_or_create (path, &error);

  ck_assert_ptr_null (key);
  ck_assert_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_FILE);
}
END_TEST

static Suite *
member_key_suite (void)
{
  Suite *suite = suite_create ("/core/member-key");
  TCase *tc = tcase_create ("/core/member-key");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_tamper);
  tcase_add_test (tc, test_wrong_key);
  tcase_add_test (tc, test_hashes);
  tcase_add_test (tc, test_file_create_and_load);
  tcase_add_test (tc, test_file_mode_refused);
  tcase_add_test (tc, test_file_size_refused);
  tcase_add_test (tc, test_two_files_differ);
  tcase_add_test (tc, test_file_unwritable);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (member_key_suite ());
}
