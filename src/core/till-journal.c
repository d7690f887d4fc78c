/* till-journal.c: the append-only, hash-chained, signed record of what the till did
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-journal"

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "till-journal.h"
#include "till-store.h"

#define ED25519_SIG_LEN 64
#define ED25519_KEY_LEN 32

struct _TillJournal
{
  GObject parent_instance;

  TillStore *store;
  char      *key_path;
  EVP_PKEY  *private_key;
  EVP_PKEY  *public_key;
};

G_DEFINE_FINAL_TYPE (TillJournal, till_journal, G_TYPE_OBJECT)

G_DEFINE_QUARK (till_journal_error_quark, till_journal_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_MD_CTX, EVP_MD_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)

/* OpenSSL keeps its reasons on a per-thread queue: take the newest for the message
 * and drop the rest so they do not surface in an unrelated later call. */
static char *
take_openssl_reason (void)
{
  unsigned long code = ERR_peek_last_error ();
  char          buffer[256];

  ERR_clear_error ();
  if (code == 0)
    return g_strdup ("unknown OpenSSL error");
  ERR_error_string_n (code, buffer, sizeof buffer);
  return g_strdup (buffer);
}

static void
put_u32_be (GByteArray *out, guint32 value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, bytes, sizeof bytes);
}

static void
put_u64_be (GByteArray *out, guint64 value)
{
  guint8 bytes[8];

  for (int i = 0; i < 8; i++)
    bytes[i] = (guint8) (value >> (56 - 8 * i));
  g_byte_array_append (out, bytes, sizeof bytes);
}

/* The string fields are length-prefixed so that no two different entries hash the
 * same bytes; a missing ref is told from an empty one by the length 0xffffffff. */
static void
put_string (GByteArray *out, const char *text)
{
  if (text == NULL)
    {
      put_u32_be (out, G_MAXUINT32);
      return;
    }
  put_u32_be (out, (guint32) strlen (text));
  g_byte_array_append (out, (const guint8 *) text, strlen (text));
}

static void
sha256 (const void *data, gsize len, guint8 out[TILL_JOURNAL_HASH_LEN])
{
  unsigned int out_len = TILL_JOURNAL_HASH_LEN;

  if (EVP_Digest (data, len, out, &out_len, EVP_sha256 (), NULL) != 1)
    g_error ("SHA-256 is not available from OpenSSL");
}

/* The entry hash, the part HQ recomputes to check a receipt:
 *
 *   SHA-256( seq             8 bytes, big-endian
 *            len(kind)       4 bytes, big-endian, then kind in UTF-8
 *            len(ref)        4 bytes, big-endian (0xffffffff: no ref), then ref
 *            created_us      8 bytes, big-endian (two's complement)
 *            SHA-256(body)   32 bytes
 *            prev_hash       32 bytes )
 */
static void
compute_entry_hash (gint64       seq,
                    const char  *kind,
                    const char  *ref_uuid,
                    gint64       created_us,
                    const guint8 body_sha256[TILL_JOURNAL_HASH_LEN],
                    const guint8 prev_hash[TILL_JOURNAL_HASH_LEN],
                    guint8       out_hash[TILL_JOURNAL_HASH_LEN])
{
  g_autoptr (GByteArray) layout = g_byte_array_sized_new (128);

  put_u64_be (layout, (guint64) seq);
  put_string (layout, kind);
  put_string (layout, ref_uuid);
  put_u64_be (layout, (guint64) created_us);
  g_byte_array_append (layout, body_sha256, TILL_JOURNAL_HASH_LEN);
  g_byte_array_append (layout, prev_hash, TILL_JOURNAL_HASH_LEN);
  sha256 (layout->data, layout->len, out_hash);
}

static gboolean
sign_hash (TillJournal *self,
           const guint8 entry_hash[TILL_JOURNAL_HASH_LEN],
           guint8       out_sig[ED25519_SIG_LEN],
           GError     **error)
{
  g_autoptr (EVP_MD_CTX) ctx = EVP_MD_CTX_new ();
  size_t sig_len = ED25519_SIG_LEN;

  /* Ed25519 is "pure": no digest is named, the message goes in whole. */
  if (ctx == NULL || EVP_DigestSignInit (ctx, NULL, NULL, NULL, self->private_key) != 1 ||
      EVP_DigestSign (ctx, out_sig, &sig_len, entry_hash, TILL_JOURNAL_HASH_LEN) != 1 ||
      sig_len != ED25519_SIG_LEN)
    {
      g_autofree char *reason = take_openssl_reason ();

      g_set_error (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_KEY,
                   _ ("Cannot sign the journal entry: %s"), reason);
      return FALSE;
    }
  return TRUE;
}

static gboolean
signature_is_good (TillJournal  *self,
                   const guint8  entry_hash[TILL_JOURNAL_HASH_LEN],
                   const guint8 *sig,
                   gsize         sig_len)
{
  g_autoptr (EVP_MD_CTX) ctx = EVP_MD_CTX_new ();
  gboolean good;

  if (sig_len != ED25519_SIG_LEN || ctx == NULL)
    return FALSE;
  good = EVP_DigestVerifyInit (ctx, NULL, NULL, NULL, self->public_key) == 1 &&
         EVP_DigestVerify (ctx, sig, sig_len, entry_hash, TILL_JOURNAL_HASH_LEN) == 1;
  ERR_clear_error ();
  return good;
}

static gboolean
set_key_error_errno (GError **error, const char *what, const char *path, int saved_errno)
{
  g_set_error (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_KEY, "%s %s: %s", what, path,
               g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Makes a new key and puts it at key_path so that no other process ever sees a
 * half-written or world-readable key: write a 0600 temporary file, fsync it, rename
 * it over, fsync the directory. */
static EVP_PKEY *
create_key (const char *key_path, GError **error)
{
  g_autoptr (EVP_PKEY) key = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  g_autoptr (BIO) pem = NULL;
  g_autofree char *tmp_path = g_strconcat (key_path, ".tmp", NULL);
  g_autofree char *dir_path = g_path_get_dirname (key_path);
  const char      *pem_data = NULL;
  long             pem_len;
  int              fd;
  int              dir_fd;

  if (key == NULL)
    {
      g_autofree char *reason = take_openssl_reason ();

      g_set_error (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_KEY,
                   _ ("Cannot make the till's signing key: %s"), reason);
      return NULL;
    }

  pem = BIO_new (BIO_s_mem ());
  if (pem == NULL || PEM_write_bio_PKCS8PrivateKey (pem, key, NULL, NULL, 0, NULL, NULL) != 1)
    {
      g_autofree char *reason = take_openssl_reason ();

      g_set_error (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_KEY,
                   _ ("Cannot encode the till's signing key: %s"), reason);
      return NULL;
    }
  pem_len = BIO_get_mem_data (pem, &pem_data);

  g_unlink (tmp_path);
  fd = g_open (tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_key_error_errno (error, _ ("Cannot create the key file"), tmp_path, errno);
      return NULL;
    }
  /* The umask cannot widen 0600, but a umask of 0177 or stricter is not assumed
   * either: set the mode explicitly. */
  if (fchmod (fd, 0600) != 0 || !write_all (fd, pem_data, (gsize) pem_len) || fsync (fd) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_unlink (tmp_path);
      set_key_error_errno (error, _ ("Cannot write the key file"), tmp_path, saved_errno);
      return NULL;
    }
  if (close (fd) != 0 || g_rename (tmp_path, key_path) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      set_key_error_errno (error, _ ("Cannot put the key file in place at"), key_path, saved_errno);
      return NULL;
    }

  dir_fd = g_open (dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd >= 0)
    {
      if (fsync (dir_fd) != 0)
        g_debug ("fsync of %s failed: %s", dir_path, g_strerror (errno));
      close (dir_fd);
    }

  g_info ("Made a new journal signing key at %s", key_path);
  return g_steal_pointer (&key);
}

static EVP_PKEY *
load_key (const char *key_path, GError **error)
{
  g_autoptr (BIO) file = NULL;
  g_autoptr (EVP_PKEY) key = NULL;
  GStatBuf st;

  if (g_stat (key_path, &st) != 0)
    {
      set_key_error_errno (error, _ ("Cannot read the key file"), key_path, errno);
      return NULL;
    }
  /* A signing key others can read is a key others can forge the journal with. */
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    {
      g_set_error (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_KEY,
                   _ ("The key file %s can be read by other users (mode %04o); it must be 0600"),
                   key_path, (unsigned) (st.st_mode & 07777));
      return NULL;
    }

  file = BIO_new_file (key_path, "r");
  if (file != NULL)
    key = PEM_read_bio_PrivateKey (file, NULL, NULL, NULL);
  if (key == NULL)
    {
      g_autofree char *reason = take_openssl_reason ();

      g_set_error (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_KEY,
                   _ ("The key file %s does not hold a private key: %s"), key_path, reason);
      return NULL;
    }
  if (!EVP_PKEY_is_a (key, "ED25519"))
    {
      g_set_error (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_KEY,
                   _ ("The key file %s holds a %s key, not an Ed25519 key"), key_path,
                   EVP_PKEY_get0_type_name (key));
      return NULL;
    }
  return g_steal_pointer (&key);
}

static EVP_PKEY *
public_key_of (EVP_PKEY *private_key, GError **error)
{
  guint8    raw[ED25519_KEY_LEN];
  size_t    raw_len = sizeof raw;
  EVP_PKEY *public_key = NULL;

  if (EVP_PKEY_get_raw_public_key (private_key, raw, &raw_len) == 1 && raw_len == sizeof raw)
    public_key = EVP_PKEY_new_raw_public_key (EVP_PKEY_ED25519, NULL, raw, raw_len);
  if (public_key == NULL)
    {
      g_autofree char *reason = take_openssl_reason ();

      g_set_error (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_KEY,
                   _ ("Cannot derive the journal's public key: %s"), reason);
    }
  return public_key;
}

/* Reads the newest entry's seq and hash; an empty journal gives seq 0 and the
 * all-zero hash. Read on every append rather than cached, so that a rolled-back
 * transaction can never leave a stale link behind. */
static gboolean
read_last_entry (TillJournal *self,
                 gint64      *out_seq,
                 guint8       out_hash[TILL_JOURNAL_HASH_LEN],
                 GError     **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (
      self->store, "SELECT seq, entry_hash FROM journal ORDER BY seq DESC LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      *out_seq = 0;
      memset (out_hash, 0, TILL_JOURNAL_HASH_LEN);
      return TRUE;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (self->store, error, _ ("Cannot read the journal"));
      return FALSE;
    }
  if (sqlite3_column_bytes (stmt, 1) != TILL_JOURNAL_HASH_LEN)
    {
      g_set_error (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_BROKEN,
                   _ ("Journal entry %" PRId64 " has a damaged hash"),
                   (gint64) sqlite3_column_int64 (stmt, 0));
      return FALSE;
    }
  *out_seq = sqlite3_column_int64 (stmt, 0);
  memcpy (out_hash, sqlite3_column_blob (stmt, 1), TILL_JOURNAL_HASH_LEN);
  return TRUE;
}

static gboolean
set_broken (GError **error, gint64 *out_bad_seq, gint64 seq, const char *why)
{
  if (out_bad_seq != NULL)
    *out_bad_seq = seq;
  g_set_error (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_BROKEN,
               _ ("Journal entry %" PRId64 " fails verification: %s"), seq, why);
  return FALSE;
}

static void
till_journal_finalize (GObject *object)
{
  TillJournal *self = (TillJournal *) object;

  g_clear_object (&self->store);
  g_clear_pointer (&self->key_path, g_free);
  g_clear_pointer (&self->private_key, EVP_PKEY_free);
  g_clear_pointer (&self->public_key, EVP_PKEY_free);

  G_OBJECT_CLASS (till_journal_parent_class)->finalize (object);
}

static void
till_journal_class_init (TillJournalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = till_journal_finalize;
}

static void
till_journal_init (TillJournal *self)
{
}

/**
 * till_journal_new:
 * @store: the till's store
 * @key_path: the PKCS#8 PEM file with the till's Ed25519 key
 *
 * Loads the signing key, or makes it on first start. A key file that exists but is
 * not an Ed25519 private key, or that group or others may read, is refused with
 * %TILL_JOURNAL_ERROR_KEY: the till must not sign with a key it cannot trust.
 *
 * Returns: (transfer full): the journal, or %NULL with @error set
 */
TillJournal *
till_journal_new (TillStore *store, const char *key_path, GError **error)
{
  g_autoptr (TillJournal) self = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (key_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (TILL_TYPE_JOURNAL, NULL);
  self->store = g_object_ref (store);
  self->key_path = g_strdup (key_path);

  if (g_file_test (key_path, G_FILE_TEST_EXISTS))
    self->private_key = load_key (key_path, error);
  else
    self->private_key = create_key (key_path, error);
  if (self->private_key == NULL)
    return NULL;

  self->public_key = public_key_of (self->private_key, error);
  if (self->public_key == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

TillStore *
till_journal_get_store (TillJournal *self)
{
  g_return_val_if_fail (TILL_IS_JOURNAL (self), NULL);
  return self->store;
}

/**
 * till_journal_append:
 * @kind: what happened ("sale", …)
 * @ref_uuid: (nullable): the record the entry is about
 * @created_us: when, in microseconds since the Unix epoch
 * @body: the canonical bytes of the record
 * @out_seq: (out) (optional): the new entry's seq
 * @out_hash: (out) (optional): the new entry's hash
 *
 * Appends a signed entry linked to the previous one. It runs in the caller's
 * transaction, so that the entry exists exactly when the record it describes does.
 */
gboolean
till_journal_append (TillJournal *self,
                     const char  *kind,
                     const char  *ref_uuid,
                     gint64       created_us,
                     GBytes      *body,
                     gint64      *out_seq,
                     guint8       out_hash[TILL_JOURNAL_HASH_LEN],
                     GError     **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  guint8        prev_hash[TILL_JOURNAL_HASH_LEN];
  guint8        body_sha256[TILL_JOURNAL_HASH_LEN];
  guint8        entry_hash[TILL_JOURNAL_HASH_LEN];
  guint8        sig[ED25519_SIG_LEN];
  gconstpointer body_data;
  gsize         body_len;
  gint64        seq;

  g_return_val_if_fail (TILL_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (kind != NULL && *kind != '\0', FALSE);
  g_return_val_if_fail (body != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!till_store_in_transaction (self->store))
    {
      g_set_error (error, TILL_JOURNAL_ERROR, TILL_JOURNAL_ERROR_NOT_IN_TRANSACTION,
                   _ ("A journal entry must be written in the transaction of what it records"));
      return FALSE;
    }

  if (!read_last_entry (self, &seq, prev_hash, error))
    return FALSE;
  seq++;

  body_data = g_bytes_get_data (body, &body_len);
  sha256 (body_data, body_len, body_sha256);
  compute_entry_hash (seq, kind, ref_uuid, created_us, body_sha256, prev_hash, entry_hash);
  if (!sign_hash (self, entry_hash, sig, error))
    return FALSE;

  stmt = till_store_prepare (self->store,
                             "INSERT INTO journal (seq, kind, ref_uuid, created_us, body, "
                             "body_sha256, prev_hash, entry_hash, sig) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_STATIC);
  if (ref_uuid != NULL)
    sqlite3_bind_text (stmt, 3, ref_uuid, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_int64 (stmt, 4, created_us);
  /* A zero-length blob must still be a blob, not NULL (the column is NOT NULL). */
  sqlite3_bind_blob (stmt, 5, body_len > 0 ? body_data : "", (int) body_len, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 6, body_sha256, TILL_JOURNAL_HASH_LEN, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 7, prev_hash, TILL_JOURNAL_HASH_LEN, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 8, entry_hash, TILL_JOURNAL_HASH_LEN, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 9, sig, ED25519_SIG_LEN, SQLITE_STATIC);
  if (!till_store_step_done (self->store, stmt, error))
    return FALSE;

  if (out_seq != NULL)
    *out_seq = seq;
  if (out_hash != NULL)
    memcpy (out_hash, entry_hash, TILL_JOURNAL_HASH_LEN);
  return TRUE;
}

/**
 * till_journal_verify:
 * @out_bad_seq: (out) (optional): on failure, the first entry that is wrong; for a
 *   missing entry, the seq that is missing
 *
 * Walks the whole journal and checks, entry by entry: seq follows on without gaps,
 * the body hashes to body_sha256, the entry hash recomputes, prev_hash is the hash
 * of the entry before, and the signature is this till's over the entry hash.
 *
 * Returns: %TRUE when every entry is intact
 */
gboolean
till_journal_verify (TillJournal *self, gint64 *out_bad_seq, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  guint8 prev_hash[TILL_JOURNAL_HASH_LEN] = { 0 };
  gint64 expected_seq = 1;
  int    rc;

  g_return_val_if_fail (TILL_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_bad_seq != NULL)
    *out_bad_seq = 0;

  stmt = till_store_prepare (self->store,
                             "SELECT seq, kind, ref_uuid, created_us, body, body_sha256, "
                             "prev_hash, entry_hash, sig FROM journal ORDER BY seq",
                             error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64      seq = sqlite3_column_int64 (stmt, 0);
      const char *kind = (const char *) sqlite3_column_text (stmt, 1);
      const char *ref_uuid = (const char *) sqlite3_column_text (stmt, 2);
      gint64      created_us = sqlite3_column_int64 (stmt, 3);
      const void *body = sqlite3_column_blob (stmt, 4);
      gsize       body_len = (gsize) sqlite3_column_bytes (stmt, 4);
      guint8      body_sha256[TILL_JOURNAL_HASH_LEN];
      guint8      entry_hash[TILL_JOURNAL_HASH_LEN];

      if (seq != expected_seq)
        return set_broken (error, out_bad_seq, expected_seq,
                           seq > expected_seq ? _ ("the entry is missing")
                                              : _ ("the sequence is out of order"));

      sha256 (body, body_len, body_sha256);
      if (sqlite3_column_bytes (stmt, 5) != TILL_JOURNAL_HASH_LEN ||
          CRYPTO_memcmp (body_sha256, sqlite3_column_blob (stmt, 5), TILL_JOURNAL_HASH_LEN) != 0)
        return set_broken (error, out_bad_seq, seq, _ ("the body does not match its hash"));

      if (sqlite3_column_bytes (stmt, 6) != TILL_JOURNAL_HASH_LEN ||
          CRYPTO_memcmp (prev_hash, sqlite3_column_blob (stmt, 6), TILL_JOURNAL_HASH_LEN) != 0)
        return set_broken (error, out_bad_seq, seq, _ ("the link to the previous entry is broken"));

      compute_entry_hash (seq, kind != NULL ? kind : "", ref_uuid, created_us, body_sha256,
                          prev_hash, entry_hash);
      if (sqlite3_column_bytes (stmt, 7) != TILL_JOURNAL_HASH_LEN ||
          CRYPTO_memcmp (entry_hash, sqlite3_column_blob (stmt, 7), TILL_JOURNAL_HASH_LEN) != 0)
        return set_broken (error, out_bad_seq, seq, _ ("the entry hash does not match"));

      if (!signature_is_good (self, entry_hash, sqlite3_column_blob (stmt, 8),
                              (gsize) sqlite3_column_bytes (stmt, 8)))
        return set_broken (error, out_bad_seq, seq, _ ("the signature is not this till's"));

      memcpy (prev_hash, entry_hash, TILL_JOURNAL_HASH_LEN);
      expected_seq++;
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (self->store, error, _ ("Cannot read the journal"));
      return FALSE;
    }
  return TRUE;
}

/**
 * till_journal_get_public_key:
 *
 * Returns: (transfer full): the raw 32-byte Ed25519 public key, as HQ registers it
 */
GBytes *
till_journal_get_public_key (TillJournal *self)
{
  guint8 raw[ED25519_KEY_LEN];
  size_t raw_len = sizeof raw;

  g_return_val_if_fail (TILL_IS_JOURNAL (self), NULL);

  if (EVP_PKEY_get_raw_public_key (self->public_key, raw, &raw_len) != 1)
    g_return_val_if_reached (NULL);
  return g_bytes_new (raw, raw_len);
}

/**
 * till_journal_hash_to_hex:
 * The form in which receipts, sales and HQ payloads carry an entry hash.
 */
char *
till_journal_hash_to_hex (const guint8 *hash)
{
  GString *hex = g_string_sized_new (TILL_JOURNAL_HASH_LEN * 2);

  g_return_val_if_fail (hash != NULL, NULL);
  for (gsize i = 0; i < TILL_JOURNAL_HASH_LEN; i++)
    g_string_append_printf (hex, "%02x", hash[i]);
  return g_string_free (hex, FALSE);
}

/**
 * till_journal_get_head:
 * @out_seq: (out): the newest entry's seq, 0 for an empty journal
 * @out_hash_hex: (out) (transfer full): its entry hash as hex (64 zeros when
 *   empty)
 *
 * What a sync batch names as the journal head for HQ to countersign.
 */
gboolean
till_journal_get_head (TillJournal *self, gint64 *out_seq, char **out_hash_hex, GError **error)
{
  guint8 hash[TILL_JOURNAL_HASH_LEN];
  gint64 seq;

  g_return_val_if_fail (TILL_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (out_seq != NULL && out_hash_hex != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!read_last_entry (self, &seq, hash, error))
    return FALSE;
  *out_seq = seq;
  *out_hash_hex = till_journal_hash_to_hex (hash);
  return TRUE;
}

/**
 * till_journal_sign_base64:
 * @data: the bytes to sign (a sync batch's body)
 *
 * Returns: (transfer full) (nullable): the detached Ed25519 signature as
 *   base64; %NULL only if OpenSSL fails, which is logged
 */
char *
till_journal_sign_base64 (TillJournal *self, GBytes *data)
{
  g_autoptr (EVP_MD_CTX) ctx = NULL;
  guint8        sig[ED25519_SIG_LEN];
  size_t        sig_len = sizeof sig;
  gconstpointer bytes;
  gsize         len;

  g_return_val_if_fail (TILL_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  bytes = g_bytes_get_data (data, &len);
  ctx = EVP_MD_CTX_new ();
  /* Ed25519 takes no digest: the whole message goes to EVP_DigestSign. */
  if (ctx == NULL || EVP_DigestSignInit (ctx, NULL, NULL, NULL, self->private_key) != 1 ||
      EVP_DigestSign (ctx, sig, &sig_len, len > 0 ? bytes : (gconstpointer) "", len) != 1 ||
      sig_len != ED25519_SIG_LEN)
    {
      g_autofree char *reason = take_openssl_reason ();

      g_critical ("Cannot sign with the journal key: %s", reason);
      return NULL;
    }
  return g_base64_encode (sig, sig_len);
}

/**
 * till_journal_dup_public_key_base64:
 *
 * Returns: (transfer full): the raw 32-byte public key as base64, as the till
 *   registers it with HQ at enrollment
 */
char *
till_journal_dup_public_key_base64 (TillJournal *self)
{
  guint8 raw[ED25519_KEY_LEN];
  size_t raw_len = sizeof raw;

  g_return_val_if_fail (TILL_IS_JOURNAL (self), NULL);

  if (EVP_PKEY_get_raw_public_key (self->public_key, raw, &raw_len) != 1 || raw_len != sizeof raw)
    g_return_val_if_reached (NULL);
  return g_base64_encode (raw, raw_len);
}
