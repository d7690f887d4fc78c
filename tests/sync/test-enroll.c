/* test-enroll.c: tests for src/sync/till-enroll.c against a real HQ
 *
 * HQ (libhq: HqStore on SQLite, HqCa, HqServer) runs in this process on a
 * thread of its own with its own GMainContext, because till_enroll() blocks;
 * the test keeps a second HqStore connection to set HQ up and look at
 * what it holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "till-core.h"
#include "till-enroll.h"
#include "till-hq-thread.h"
#include "till-sync.h"
#include "till-test-util.h"

/* --- HQ on a thread -----------------------------------------------------------
 * tests/common/till-hq-thread.c serves it; the test keeps a connection of its
 * own to set HQ up and to look at what it holds. */

static TillHqThread *hq;
static HqStore      *hq_store; /* the test's own connection */

/* HQ in @dir/hq, with store S001 in group G1. */
static void
test_hq_start (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hq_dir = g_build_filename (dir, "hq", NULL);

  hq = till_hq_thread_start (hq_dir, NULL, 0, &error);
  ck_assert_msg (hq != NULL, "HQ did not start: %s", error ? error->message : "");
  hq_store = till_hq_thread_open_store (hq, &error);
  ck_assert_msg (hq_store != NULL && hq_store_put_group (hq_store, "G1", "华东区", &error) &&
                     hq_store_put_store (hq_store, "S001", "上海徐汇店", "G1", &error),
                 "%s", error ? error->message : "");
}

/* A fresh token "<secret>.<pin>" for till @till_no of S001. */
static char *
test_hq_token (guint till_no, gint64 valid_us)
{
  g_autoptr (GError) error = NULL;
  char *token = till_hq_thread_make_token (hq, "S001", till_no, valid_us, &error);

  ck_assert_msg (token != NULL, "%s", error ? error->message : "");
  return token;
}

/* --- A till ------------------------------------------------------------------------ */

typedef struct
{
  char        *dir;
  char        *db_path;
  TillStore   *store;
  TillJournal *journal;
} EnrollTestTill;

static EnrollTestTill *
test_till_open (const char *scratch, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key_path = NULL;
  EnrollTestTill  *till = g_new0 (EnrollTestTill, 1);

  till->dir = g_build_filename (scratch, name, NULL);
  ck_assert_int_eq (g_mkdir_with_parents (till->dir, 0700), 0);
  till->db_path = g_build_filename (till->dir, "till.db", NULL);
  key_path = g_build_filename (till->dir, "till.key", NULL);
  till->store = till_store_open (till->db_path, &error);
  ck_assert_msg (till->store != NULL, "%s", error ? error->message : "");
  till->journal = till_journal_new (till->store, key_path, &error);
  ck_assert_msg (till->journal != NULL, "%s", error ? error->message : "");
  return till;
}

static void
test_till_close (EnrollTestTill *till)
{
  g_clear_object (&till->journal);
  g_clear_object (&till->store);
  g_free (till->db_path);
  g_free (till->dir);
  g_free (till);
}

static gboolean
till_has_file (EnrollTestTill *till, const char *name)
{
  g_autofree char *path = g_build_filename (till->dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* --- Fixture ------------------------------------------------------------------------ */

static char           *scratch;
static EnrollTestTill *till;

static void
setup (void)
{
  scratch = till_test_make_tmpdir ();
  test_hq_start (scratch);
  till = test_till_open (scratch, "till");
}

static void
teardown (void)
{
  g_clear_pointer (&till, test_till_close);
  g_clear_object (&hq_store);
  g_clear_pointer (&hq, till_hq_thread_stop);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

/* /sync/enroll/ok: the identity is saved, the files are there with the key
 * private, and HQ knows the till, its certificate and its journal key. */
START_TEST (test_enroll_ok)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = test_hq_token (1, (gint64) G_USEC_PER_SEC * 3600);
  g_autoptr (TillSyncIdentity) identity = NULL;
  g_autoptr (TillSyncIdentity) loaded = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (HqTill) hq_till = NULL;
  g_autoptr (HqDbRows) tills = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *journal_key = NULL;
  g_autofree char *key_path = NULL;
  GStatBuf         st;

  identity = till_enroll (till->store, till->journal, till_hq_thread_get_url (hq), token, till->dir,
                          &error);
  ck_assert_msg (identity != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (identity->till_id, "S001-01");
  ck_assert_str_eq (identity->store_id, "S001");
  ck_assert_uint_eq (identity->epoch, 1);
  ck_assert_str_eq (identity->url, till_hq_thread_get_url (hq));
  ck_assert_str_eq (identity->hq_key, hq_ca_get_ack_public_key (till_hq_thread_get_ca (hq)));

  ck_assert (till_has_file (till, "sync-key.pem"));
  ck_assert (till_has_file (till, "sync-cert.pem"));
  ck_assert (till_has_file (till, "hq-ca.pem"));
  ck_assert (!till_has_file (till, "sync-key.pem.new"));
  key_path = g_build_filename (till->dir, "sync-key.pem", NULL);
  ck_assert_int_eq (g_stat (key_path, &st), 0);
  ck_assert_int_eq (st.st_mode & 0777, 0600);
  ck_assert_str_eq (identity->key_path, key_path);

  loaded = till_sync_identity_load (till->store, &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (loaded->till_id, "S001-01");
  ck_assert_str_eq (loaded->store_id, "S001");
  ck_assert_uint_eq (loaded->epoch, 1);
  ck_assert_str_eq (loaded->url, till_hq_thread_get_url (hq));
  ck_assert_str_eq (loaded->hq_key, identity->hq_key);
  ck_assert_str_eq (loaded->cert_path, identity->cert_path);
  ck_assert_str_eq (loaded->ca_path, identity->ca_path);

  /* HQ maps the certificate the till now holds to the till and the
   * journal key it registered. */
  certificate = g_tls_certificate_new_from_files (identity->cert_path, identity->key_path, &error);
  ck_assert_msg (certificate != NULL, "%s", error ? error->message : "");
  ck_assert_msg (hq_ca_check_client (till_hq_thread_get_ca (hq), certificate, &error), "%s",
                 error ? error->message : "");
  fingerprint = hq_ca_fingerprint (certificate);
  hq_till = hq_store_find_till_by_certificate (hq_store, fingerprint, &error);
  ck_assert_msg (hq_till != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (hq_till->till_id, "S001-01");
  ck_assert_uint_eq (hq_till->epoch, 1);
  journal_key = till_journal_dup_public_key_base64 (till->journal);
  ck_assert_str_eq (hq_till->journal_key, journal_key);

  tills = hq_store_list_tills (hq_store, &error);
  ck_assert_msg (tills != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (hq_db_rows_get_n_rows (tills), 1);
  ck_assert_str_eq (hq_db_rows_get_text (tills, 0, 0), "S001-01");
}
END_TEST

/* /sync/enroll/token-reused: a token works once; the second till is
 * refused with HQ's reason and keeps no identity and no key. */
START_TEST (test_enroll_token_reused)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = test_hq_token (1, (gint64) G_USEC_PER_SEC * 3600);
  g_autoptr (TillSyncIdentity) first = NULL;
  g_autoptr (TillSyncIdentity) second = NULL;
  g_autoptr (TillSyncIdentity) loaded = NULL;
  EnrollTestTill *other = test_till_open (scratch, "other");

  first = till_enroll (till->store, till->journal, till_hq_thread_get_url (hq), token, till->dir,
                       &error);
  ck_assert_msg (first != NULL, "%s", error ? error->message : "");

  second = till_enroll (other->store, other->journal, till_hq_thread_get_url (hq), token,
                        other->dir, &error);
  ck_assert_ptr_null (second);
  ck_assert_msg (g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_REFUSED), "%s",
                 error ? error->message : "no error");
  ck_assert_msg (strstr (error->message, "HQ refused") != NULL, "%s", error->message);
  g_clear_error (&error);

  loaded = till_sync_identity_load (other->store, &error);
  ck_assert_ptr_null (loaded);
  ck_assert (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_NOT_ENROLLED));
  ck_assert (!till_has_file (other, "sync-key.pem"));
  ck_assert (!till_has_file (other, "sync-key.pem.new"));
  ck_assert (!till_has_file (other, "sync-cert.pem"));
  test_till_close (other);
}
END_TEST

/* /sync/enroll/expired: a token past its time is refused. */
START_TEST (test_enroll_expired)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = test_hq_token (1, 1);
  g_autoptr (TillSyncIdentity) identity = NULL;

  g_usleep (20 * 1000);
  identity = till_enroll (till->store, till->journal, till_hq_thread_get_url (hq), token, till->dir,
                          &error);
  ck_assert_ptr_null (identity);
  ck_assert_msg (g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_REFUSED), "%s",
                 error ? error->message : "no error");
}
END_TEST

/* /sync/enroll/wrong-pin: a token whose pin is another CA's is refused at the
 * TLS handshake, before the token leaves the till: the same secret with the
 * right pin still works afterwards. */
START_TEST (test_enroll_wrong_pin)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqCa) other_ca = NULL;
  g_autoptr (TillSyncIdentity) identity = NULL;
  g_autofree char *other_dir = g_build_filename (scratch, "other-ca", NULL);
  g_autofree char *secret = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *right = NULL;

  other_ca = hq_ca_open (other_dir, NULL, &error);
  ck_assert_msg (other_ca != NULL, "%s", error ? error->message : "");
  ck_assert_str_ne (hq_ca_get_pin (other_ca), hq_ca_get_pin (till_hq_thread_get_ca (hq)));
  secret =
      hq_store_create_enroll_token (hq_store, "S001", 2, (gint64) G_USEC_PER_SEC * 3600, &error);
  ck_assert_msg (secret != NULL, "%s", error ? error->message : "");
  wrong = g_strconcat (secret, ".", hq_ca_get_pin (other_ca), NULL);
  right = g_strconcat (secret, ".", hq_ca_get_pin (till_hq_thread_get_ca (hq)), NULL);

  identity = till_enroll (till->store, till->journal, till_hq_thread_get_url (hq), wrong, till->dir,
                          &error);
  ck_assert_ptr_null (identity);
  ck_assert_msg (g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_TLS), "%s",
                 error ? error->message : "no error");
  ck_assert_msg (strstr (error->message, "does not match the token") != NULL, "%s", error->message);
  ck_assert (!till_has_file (till, "sync-key.pem"));
  ck_assert (!till_has_file (till, "sync-key.pem.new"));
  g_clear_error (&error);

  identity = till_enroll (till->store, till->journal, till_hq_thread_get_url (hq), right, till->dir,
                          &error);
  ck_assert_msg (identity != NULL, "the token was used up by a refused handshake: %s",
                 error ? error->message : "");
  ck_assert_str_eq (identity->till_id, "S001-02");
}
END_TEST

/* /sync/enroll/malformed-token: a token that is not "<32 hex>.<32 hex>" is
 * refused before anything is made or sent. */
START_TEST (test_enroll_malformed_token)
{
  const char *tokens[] = { "", "abc", "0123456789abcdef0123456789abcdef",
                           "0123456789abcdef0123456789abcdef.xyz",
                           "0123456789abcdef0123456789abcdeg.0123456789abcdef0123456789abcdef" };

  for (gsize i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillSyncIdentity) identity = till_enroll (
          till->store, till->journal, till_hq_thread_get_url (hq), tokens[i], till->dir, &error);

      ck_assert_msg (identity == NULL, "token “%s” was taken", tokens[i]);
      ck_assert_msg (g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED), "%s: %s",
                     tokens[i], error ? error->message : "no error");
      ck_assert (!till_has_file (till, "sync-key.pem.new"));
    }
}
END_TEST

/* A loopback port nothing listens on. */
static guint
closed_port (void)
{
  g_autoptr (GSocket) socket =
      g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  ck_assert (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* /sync/enroll/unreachable: no HQ at the URL is OFFLINE, and nothing stays
 * behind. */
START_TEST (test_enroll_unreachable)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = test_hq_token (1, (gint64) G_USEC_PER_SEC * 3600);
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", closed_port ());
  g_autoptr (TillSyncIdentity) identity = NULL;

  identity = till_enroll (till->store, till->journal, url, token, till->dir, &error);
  ck_assert_ptr_null (identity);
  ck_assert_msg (g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_OFFLINE), "%s",
                 error ? error->message : "no error");
  ck_assert (!till_has_file (till, "sync-key.pem.new"));
  g_clear_error (&error);

  identity =
      till_enroll (till->store, till->journal, "http://127.0.0.1:1", token, till->dir, &error);
  ck_assert_ptr_null (identity);
  ck_assert (g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED));
}
END_TEST

/* /sync/enroll/again: enrolling the same till number again starts a new
 * epoch and retires the first certificate at HQ. */
START_TEST (test_enroll_again)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *first_token = test_hq_token (1, (gint64) G_USEC_PER_SEC * 3600);
  g_autofree char *second_token = test_hq_token (1, (gint64) G_USEC_PER_SEC * 3600);
  g_autoptr (TillSyncIdentity) first = NULL;
  g_autoptr (TillSyncIdentity) second = NULL;
  g_autoptr (GTlsCertificate) first_cert = NULL;
  g_autoptr (HqTill) hq_till = NULL;
  g_autofree char *first_fingerprint = NULL;

  first = till_enroll (till->store, till->journal, till_hq_thread_get_url (hq), first_token,
                       till->dir, &error);
  ck_assert_msg (first != NULL, "%s", error ? error->message : "");
  first_cert = g_tls_certificate_new_from_file (first->cert_path, &error);
  ck_assert_msg (first_cert != NULL, "%s", error ? error->message : "");
  first_fingerprint = hq_ca_fingerprint (first_cert);

  second = till_enroll (till->store, till->journal, till_hq_thread_get_url (hq), second_token,
                        till->dir, &error);
  ck_assert_msg (second != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (second->till_id, "S001-01");
  ck_assert_uint_eq (second->epoch, 2);

  hq_till = hq_store_find_till_by_certificate (hq_store, first_fingerprint, &error);
  ck_assert_ptr_null (hq_till);
  ck_assert (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_FORBIDDEN));
}
END_TEST

static Suite *
enroll_suite (void)
{
  Suite *suite = suite_create ("sync-enroll");
  TCase *tcase = tcase_create ("/sync/enroll");

  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_enroll_ok);
  tcase_add_test (tcase, test_enroll_token_reused);
  tcase_add_test (tcase, test_enroll_expired);
  tcase_add_test (tcase, test_enroll_wrong_pin);
  tcase_add_test (tcase, test_enroll_malformed_token);
  tcase_add_test (tcase, test_enroll_unreachable);
  tcase_add_test (tcase, test_enroll_again);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (int argc, char **argv)
{
  return till_test_run_suite (enroll_suite ());
}
