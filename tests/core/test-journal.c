/* test-journal.c: tests for src/core/till-journal.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <string.h>
#include <sys/stat.h>

#include "till-core.h"
#include "till-test-util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_MD_CTX, EVP_MD_CTX_free)

static char        *scratch;
static char        *db_path;
static char        *key_path;
static TillStore   *store;
static TillJournal *journal;

static void
setup (void)
{
  g_autoptr (GError) error = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
}

static void
teardown (void)
{
  g_clear_object (&journal);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
}

/* Appends @n entries, each in a transaction of its own, with bodies "entry N". */
static void
append_entries (int n)
{
  for (int i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("{\"entry\":%d}", i + 1);
      g_autoptr (GBytes) body = g_bytes_new (text, strlen (text));
      g_autofree char *ref = till_uuid_v7_new ();
      gint64           seq = 0;

      ck_assert (till_store_begin (store, &error));
      ck_assert_msg (till_journal_append (journal, "test", i % 2 ? NULL : ref, g_get_real_time (),
                                          body, &seq, NULL, &error),
                     "%s", error ? error->message : "");
      ck_assert (till_store_commit (store, &error));
      ck_assert_int_gt (seq, 0);
    }
}

/* Runs SQL through a second connection, as someone with the file would, after
 * dropping the triggers that keep the journal append-only. */
static void
tamper (const char *sql)
{
  sqlite3         *db = NULL;
  g_autofree char *full = g_strconcat ("DROP TRIGGER IF EXISTS journal_append_only_update;"
                                       "DROP TRIGGER IF EXISTS journal_append_only_delete;",
                                       sql, NULL);
  char            *message = NULL;

  ck_assert_int_eq (sqlite3_open (db_path, &db), SQLITE_OK);
  ck_assert_msg (sqlite3_exec (db, full, NULL, NULL, &message) == SQLITE_OK, "%s", message);
  sqlite3_close (db);
}

static void
assert_broken_at (gint64 expected_bad_seq)
{
  g_autoptr (GError) error = NULL;
  gint64 bad_seq = -1;

  ck_assert (!till_journal_verify (journal, &bad_seq, &error));
  ck_assert_msg (g_error_matches (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_BROKEN), "%s",
                 error ? error->message : "no error");
  ck_assert_int_eq (bad_seq, expected_bad_seq);
}

static void
assert_verifies (void)
{
  g_autoptr (GError) error = NULL;
  gint64 bad_seq = -1;

  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "%s",
                 error ? error->message : "");
  ck_assert_ptr_null (error);
}

static void
put_u64_be (GChecksum *checksum, guint64 value)
{
  guint8 bytes[8];

  for (int i = 0; i < 8; i++)
    bytes[i] = (guint8) (value >> (56 - 8 * i));
  g_checksum_update (checksum, bytes, 8);
}

static void
put_string (GChecksum *checksum, const char *text)
{
  guint32 len = text != NULL ? (guint32) strlen (text) : G_MAXUINT32;
  guint8  bytes[4] = { len >> 24, len >> 16, len >> 8, len };

  g_checksum_update (checksum, bytes, 4);
  if (text != NULL)
    g_checksum_update (checksum, (const guint8 *) text, strlen (text));
}

/* /core/journal/append-verify: the chain, the documented hash layout, and the
 * signature as HQ would check it */
START_TEST (test_append_verify)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GBytes) public_key = till_journal_get_public_key (journal);
  g_autoptr (EVP_PKEY) verifier = NULL;
  guint8 prev[32] = { 0 };
  int    n = 0;

  assert_verifies (); /* an empty journal is intact */
  append_entries (5);
  assert_verifies ();

  ck_assert_uint_eq (g_bytes_get_size (public_key), 32);
  verifier =
      EVP_PKEY_new_raw_public_key (EVP_PKEY_ED25519, NULL, g_bytes_get_data (public_key, NULL), 32);
  ck_assert_ptr_nonnull (verifier);

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT seq, kind, ref_uuid, created_us, body, "
                                        "body_sha256, prev_hash, entry_hash, sig FROM journal "
                                        "ORDER BY seq",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr (GChecksum) body_sum = g_checksum_new (G_CHECKSUM_SHA256);
      g_autoptr (GChecksum) entry_sum = g_checksum_new (G_CHECKSUM_SHA256);
      g_autoptr (EVP_MD_CTX) ctx = EVP_MD_CTX_new ();
      guint8 body_hash[32];
      guint8 entry_hash[32];
      gsize  len = 32;

      n++;
      ck_assert_int_eq (sqlite3_column_int64 (stmt, 0), n);
      ck_assert_int_eq (sqlite3_column_bytes (stmt, 6), 32);
      ck_assert_mem_eq (sqlite3_column_blob (stmt, 6), prev, 32);

      g_checksum_update (body_sum, sqlite3_column_blob (stmt, 4), sqlite3_column_bytes (stmt, 4));
      g_checksum_get_digest (body_sum, body_hash, &len);
      ck_assert_mem_eq (sqlite3_column_blob (stmt, 5), body_hash, 32);

      put_u64_be (entry_sum, (guint64) sqlite3_column_int64 (stmt, 0));
      put_string (entry_sum, (const char *) sqlite3_column_text (stmt, 1));
      put_string (entry_sum, (const char *) sqlite3_column_text (stmt, 2));
      put_u64_be (entry_sum, (guint64) sqlite3_column_int64 (stmt, 3));
      g_checksum_update (entry_sum, body_hash, 32);
      g_checksum_update (entry_sum, prev, 32);
      len = 32;
      g_checksum_get_digest (entry_sum, entry_hash, &len);
      ck_assert_mem_eq (sqlite3_column_blob (stmt, 7), entry_hash, 32);

      ck_assert_int_eq (sqlite3_column_bytes (stmt, 8), 64);
      ck_assert_int_eq (EVP_DigestVerifyInit (ctx, NULL, NULL, NULL, verifier), 1);
      ck_assert_int_eq (EVP_DigestVerify (ctx, sqlite3_column_blob (stmt, 8), 64, entry_hash, 32),
                        1);
      memcpy (prev, entry_hash, 32);
    }
  ck_assert_int_eq (n, 5);
}
END_TEST

/* /core/journal/out-values: seq and hash come back to the caller */
START_TEST (test_out_values)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = g_bytes_new_static ("x", 1);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint8 hash[TILL_JOURNAL_HASH_LEN] = { 0 };
  gint64 seq = 0;

  append_entries (2);
  ck_assert (till_store_begin (store, &error));
  ck_assert (till_journal_append (journal, "sale", NULL, 1, body, &seq, hash, &error));
  ck_assert (till_store_commit (store, &error));
  ck_assert_int_eq (seq, 3);

  sqlite3_prepare_v2 (till_store_get_db (store), "SELECT entry_hash FROM journal WHERE seq = 3", -1,
                      &stmt, NULL);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_mem_eq (sqlite3_column_blob (stmt, 0), hash, TILL_JOURNAL_HASH_LEN);
}
END_TEST

/* /core/journal/rollback: a rolled-back entry leaves no hole and no stale link */
START_TEST (test_rollback)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = g_bytes_new_static ("lost", 4);
  gint64 seq = 0;

  append_entries (2);
  ck_assert (till_store_begin (store, &error));
  ck_assert (till_journal_append (journal, "sale", NULL, 1, body, &seq, NULL, &error));
  ck_assert_int_eq (seq, 3);
  till_store_rollback (store);

  append_entries (1);
  ck_assert (till_store_begin (store, &error));
  ck_assert (till_journal_append (journal, "sale", NULL, 2, body, &seq, NULL, &error));
  ck_assert (till_store_commit (store, &error));
  ck_assert_int_eq (seq, 4);
  assert_verifies ();
}
END_TEST

/* /core/journal/not-in-transaction */
START_TEST (test_not_in_transaction)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = g_bytes_new_static ("x", 1);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 seq = -1;

  ck_assert (!till_journal_append (journal, "sale", NULL, 1, body, &seq, NULL, &error));
  ck_assert (g_error_matches (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_NOT_IN_TRANSACTION));
  ck_assert_int_eq (seq, -1);
  sqlite3_prepare_v2 (till_store_get_db (store), "SELECT count(*) FROM journal", -1, &stmt, NULL);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_int_eq (sqlite3_column_int (stmt, 0), 0);
}
END_TEST

/* /core/journal/append-only: the store itself refuses to change an entry */
START_TEST (test_append_only)
{
  g_autoptr (GError) error = NULL;

  append_entries (2);
  ck_assert (!till_store_exec (store, "UPDATE journal SET body = x'00' WHERE seq = 1", &error));
  ck_assert_ptr_nonnull (strstr (error->message, "append-only"));
  g_clear_error (&error);
  ck_assert (!till_store_exec (store, "DELETE FROM journal WHERE seq = 2", &error));
  ck_assert_ptr_nonnull (strstr (error->message, "append-only"));
  assert_verifies ();
}
END_TEST

/* /core/journal/tamper-body */
START_TEST (test_tamper_body)
{
  append_entries (5);
  /* Flip the lowest bit of the first byte of entry 2's body: '{' (0x7b) → 'z'. */
  tamper ("UPDATE journal SET body = CAST('z' || substr(CAST(body AS TEXT), 2) AS BLOB) "
          "WHERE seq = 2 AND substr(CAST(body AS TEXT), 1, 1) = '{'");
  assert_broken_at (2);
}
END_TEST

/* /core/journal/tamper-body-and-hash: fixing up the body hash breaks the entry hash */
START_TEST (test_tamper_body_and_hash)
{
  append_entries (5);
  tamper ("UPDATE journal SET body = CAST('{\"entry\":9}' AS BLOB), "
          "body_sha256 = x'2c12e41bb1130eeb88ec5af848a9380c3f8df281d86c8ba74896265f040c0a90' "
          "WHERE seq = 3");
  assert_broken_at (3);
}
END_TEST

/* /core/journal/tamper-signature */
START_TEST (test_tamper_signature)
{
  append_entries (5);
  tamper ("UPDATE journal SET sig = (SELECT sig FROM journal WHERE seq = 1) WHERE seq = 4");
  assert_broken_at (4);
}
END_TEST

/* /core/journal/delete-middle: the missing seq is reported */
START_TEST (test_delete_middle)
{
  append_entries (5);
  tamper ("DELETE FROM journal WHERE seq = 3");
  assert_broken_at (3);
}
END_TEST

/* /core/journal/delete-last: dropping the tail is not detectable from the
 * chain alone, but the entries left must still verify */
START_TEST (test_delete_last)
{
  append_entries (5);
  tamper ("DELETE FROM journal WHERE seq = 5");
  assert_verifies ();
}
END_TEST

/* /core/journal/reorder: swapping two entries' places */
START_TEST (test_reorder)
{
  append_entries (5);
  tamper ("UPDATE journal SET seq = 100 WHERE seq = 2;"
          "UPDATE journal SET seq = 2 WHERE seq = 3;"
          "UPDATE journal SET seq = 3 WHERE seq = 100;");
  assert_broken_at (2);
}
END_TEST

/* /core/journal/other-key: a journal signed by another key does not verify */
START_TEST (test_other_key)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *other_path = g_build_filename (scratch, "other.key", NULL);
  g_autofree char *other_pem = NULL;
  gsize            other_len;

  append_entries (3);
  assert_verifies ();

  /* Make a second key, then put it where the till's key was. */
  {
    g_autoptr (TillJournal) other = till_journal_new (store, other_path, &error);

    ck_assert_msg (other != NULL, "%s", error ? error->message : "");
  }
  ck_assert (g_file_get_contents (other_path, &other_pem, &other_len, NULL));
  g_clear_object (&journal);
  ck_assert (g_file_set_contents_full (key_path, other_pem, (gssize) other_len,
                                       G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  assert_broken_at (1);
}
END_TEST

/* /core/journal/key-file: made once, 0600, PKCS#8 PEM, and the same key next time */
START_TEST (test_key_file)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) first = till_journal_get_public_key (journal);
  g_autoptr (GBytes) second = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *tmp_path = g_strconcat (key_path, ".tmp", NULL);
  GStatBuf         st;

  ck_assert_int_eq (g_stat (key_path, &st), 0);
  ck_assert_uint_eq (st.st_mode & 0777, 0600);
  ck_assert (!g_file_test (tmp_path, G_FILE_TEST_EXISTS));
  ck_assert (g_file_get_contents (key_path, &pem, NULL, NULL));
  ck_assert (g_str_has_prefix (pem, "-----BEGIN PRIVATE KEY-----"));

  g_clear_object (&journal);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  second = till_journal_get_public_key (journal);
  ck_assert (g_bytes_equal (first, second));
}
END_TEST

/* /core/journal/key-readable-by-others */
START_TEST (test_key_mode)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillJournal) refused = NULL;

  ck_assert_int_eq (g_chmod (key_path, 0644), 0);
  refused = till_journal_new (store, key_path, &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_KEY));

  g_clear_error (&error);
  ck_assert_int_eq (g_chmod (key_path, 0640), 0);
  refused = till_journal_new (store, key_path, &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_KEY));
}
END_TEST

/* /core/journal/key-not-ed25519: another kind of key, or no key at all */
START_TEST (test_key_wrong_type)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillJournal) refused = NULL;
  g_autoptr (EVP_PKEY) ec_key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  g_autofree char *ec_path = g_build_filename (scratch, "ec.key", NULL);
  g_autofree char *junk_path = g_build_filename (scratch, "junk.key", NULL);
  BIO             *out;

  ck_assert_ptr_nonnull (ec_key);
  out = BIO_new_file (ec_path, "w");
  ck_assert_ptr_nonnull (out);
  ck_assert_int_eq (PEM_write_bio_PKCS8PrivateKey (out, ec_key, NULL, NULL, 0, NULL, NULL), 1);
  BIO_free (out);
  ck_assert_int_eq (g_chmod (ec_path, 0600), 0);

  refused = till_journal_new (store, ec_path, &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_KEY));
  g_clear_error (&error);

  ck_assert (g_file_set_contents_full (junk_path, "not a key\n", -1, G_FILE_SET_CONTENTS_NONE, 0600,
                                       NULL));
  refused = till_journal_new (store, junk_path, &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_KEY));
}
END_TEST

/* Verifies @sig_b64 over @data with the raw public key @key_b64, as HQ does. */
static gboolean
ed25519_verifies (const char *key_b64, const void *data, gsize len, const char *sig_b64)
{
  g_autofree guchar *key = NULL;
  g_autofree guchar *sig = NULL;
  gsize              key_len = 0;
  gsize              sig_len = 0;
  g_autoptr (EVP_PKEY) pkey = NULL;
  g_autoptr (EVP_MD_CTX) ctx = EVP_MD_CTX_new ();

  key = g_base64_decode (key_b64, &key_len);
  sig = g_base64_decode (sig_b64, &sig_len);
  ck_assert_uint_eq (key_len, 32);
  ck_assert_uint_eq (sig_len, 64);
  pkey = EVP_PKEY_new_raw_public_key (EVP_PKEY_ED25519, NULL, key, key_len);
  ck_assert_ptr_nonnull (pkey);
  return EVP_DigestVerifyInit (ctx, NULL, NULL, NULL, pkey) == 1 &&
         EVP_DigestVerify (ctx, sig, sig_len, data, len) == 1;
}

/* /core/journal/head: seq 0 and 64 zeros when empty, then the newest entry's
 * seq and hash as till_journal_append gave them. */
START_TEST (test_head)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *empty_hex = NULL;
  g_autofree char *head_hex = NULL;
  g_autofree char *appended_hex = NULL;
  g_autofree char *zeros = g_strnfill (64, '0');
  g_autoptr (GBytes) body = g_bytes_new_static ("{}", 2);
  guint8 hash[TILL_JOURNAL_HASH_LEN];
  gint64 seq = -1;
  gint64 appended_seq = 0;

  ck_assert (till_journal_get_head (journal, &seq, &empty_hex, &error));
  ck_assert_int_eq (seq, 0);
  ck_assert_str_eq (empty_hex, zeros);

  append_entries (3);
  ck_assert (till_store_begin (store, &error));
  ck_assert (till_journal_append (journal, "test", NULL, 1, body, &appended_seq, hash, &error));
  ck_assert (till_store_commit (store, &error));
  appended_hex = till_journal_hash_to_hex (hash);

  ck_assert (till_journal_get_head (journal, &seq, &head_hex, &error));
  ck_assert_int_eq (seq, 4);
  ck_assert_int_eq (seq, appended_seq);
  ck_assert_str_eq (head_hex, appended_hex);
}
END_TEST

/* /core/journal/sign: a detached signature over any bytes that verifies
 * with the published key, and only over those bytes. */
START_TEST (test_sign)
{
  const char *text = "{\"till_id\":\"S001-01\",\"items\":[]}";
  g_autoptr (GBytes) data = g_bytes_new_static (text, strlen (text));
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr (GBytes) raw_key = till_journal_get_public_key (journal);
  g_autofree char *sig = till_journal_sign_base64 (journal, data);
  g_autofree char *empty_sig = till_journal_sign_base64 (journal, empty);
  g_autofree char *key_b64 = till_journal_dup_public_key_base64 (journal);
  g_autofree char *raw_b64 =
      g_base64_encode (g_bytes_get_data (raw_key, NULL), g_bytes_get_size (raw_key));
  g_autofree char *tampered = g_strdup (text);

  ck_assert_ptr_nonnull (sig);
  ck_assert_ptr_nonnull (key_b64);
  ck_assert_str_eq (key_b64, raw_b64);
  ck_assert (ed25519_verifies (key_b64, text, strlen (text), sig));
  tampered[3] = 'X';
  ck_assert (!ed25519_verifies (key_b64, tampered, strlen (tampered), sig));
  ck_assert (ed25519_verifies (key_b64, "", 0, empty_sig));
}
END_TEST

static Suite *
journal_suite (void)
{
  Suite *suite = suite_create ("core/journal");
  TCase *tc;

  tc = tcase_create ("chain");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_append_verify);
  tcase_add_test (tc, test_out_values);
  tcase_add_test (tc, test_rollback);
  tcase_add_test (tc, test_not_in_transaction);
  tcase_add_test (tc, test_append_only);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("tamper");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_tamper_body);
  tcase_add_test (tc, test_tamper_body_and_hash);
  tcase_add_test (tc, test_tamper_signature);
  tcase_add_test (tc, test_delete_middle);
  tcase_add_test (tc, test_delete_last);
  tcase_add_test (tc, test_reorder);
  tcase_add_test (tc, test_other_key);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("key");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_key_file);
  tcase_add_test (tc, test_key_mode);
  tcase_add_test (tc, test_key_wrong_type);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("sync");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_head);
  tcase_add_test (tc, test_sign);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return till_test_run_suite (journal_suite ());
}
