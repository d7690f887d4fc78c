/* till-member-key.c: the key that protects members' personal data (PIPL)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-member-key"

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "till-member-key.h"

/* The key file: 32 bytes for AES-256-GCM, then 32 for HMAC-SHA-256. */
#define AES_KEY_LEN 32
#define HMAC_KEY_LEN 32
#define KEY_FILE_LEN (AES_KEY_LEN + HMAC_KEY_LEN)
#define NONCE_LEN 12
#define TAG_LEN 16
#define HASH_LEN 32
/* 16 hex characters: 64 bits of the HMAC, enough that a forged QR is not
 * guessed at a till's counter. */
#define QR_TAG_BYTES 8

struct _TillMemberKey
{
  GObject parent_instance;

  guint8 aes_key[AES_KEY_LEN];
  guint8 hmac_key[HMAC_KEY_LEN];
};

G_DEFINE_FINAL_TYPE (TillMemberKey, till_member_key, G_TYPE_OBJECT)

G_DEFINE_QUARK (till_member_key_error_quark, till_member_key_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)

static gboolean
set_file_error_errno (GError **error, const char *what, const char *path, int saved_errno)
{
  g_set_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_FILE, "%s %s: %s", what, path,
               g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int fd, const guint8 *data, gsize len)
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

/* Makes 64 random bytes and puts them at @path so that no other process ever
 * sees a half-written or readable key: a 0600 temporary file, fsync, rename
 * over, fsync of the directory. */
static gboolean
create_key_file (const char *path, guint8 out_bytes[KEY_FILE_LEN], GError **error)
{
  g_autofree char *tmp_path = g_strconcat (path, ".tmp", NULL);
  g_autofree char *dir_path = g_path_get_dirname (path);
  int              fd;
  int              dir_fd;

  if (RAND_bytes (out_bytes, KEY_FILE_LEN) != 1)
    {
      ERR_clear_error ();
      g_set_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_FAILED,
                   _ ("Cannot make random bytes for the member key"));
      return FALSE;
    }

  g_unlink (tmp_path);
  fd = g_open (tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return set_file_error_errno (error, _ ("Cannot create the member key file"), tmp_path, errno);
  /* The umask may only narrow 0600, but set the mode explicitly anyway. */
  if (fchmod (fd, 0600) != 0 || !write_all (fd, out_bytes, KEY_FILE_LEN) || fsync (fd) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_unlink (tmp_path);
      return set_file_error_errno (error, _ ("Cannot write the member key file"), tmp_path,
                                   saved_errno);
    }
  if (close (fd) != 0 || g_rename (tmp_path, path) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      return set_file_error_errno (error, _ ("Cannot put the member key file in place at"), path,
                                   saved_errno);
    }
  dir_fd = g_open (dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd >= 0)
    {
      if (fsync (dir_fd) != 0)
        g_debug ("fsync of %s failed: %s", dir_path, g_strerror (errno));
      close (dir_fd);
    }
  g_info ("Made a new member key at %s", path);
  return TRUE;
}

static gboolean
read_key_file (const char *path, const GStatBuf *st, guint8 out_bytes[KEY_FILE_LEN], GError **error)
{
  g_autoptr (GError) read_error = NULL;
  g_autofree char *contents = NULL;
  gsize            len = 0;

  /* A key others can read opens every member's phone number; any bit beyond
   * 0600 is refused. */
  if ((st->st_mode & 07777 & ~(mode_t) 0600) != 0)
    {
      g_set_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_FILE,
                   _ ("The member key file %s has mode %04o; it must be 0600"), path,
                   (unsigned) (st->st_mode & 07777));
      return FALSE;
    }
  if (!g_file_get_contents (path, &contents, &len, &read_error))
    {
      g_set_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_FILE, "%s",
                   read_error->message);
      return FALSE;
    }
  if (len != KEY_FILE_LEN)
    {
      OPENSSL_cleanse (contents, len);
      g_set_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_FILE,
                   _ ("The member key file %s has %" PRIu64 " bytes; it must have %d"), path,
                   (guint64) len, KEY_FILE_LEN);
      return FALSE;
    }
  memcpy (out_bytes, contents, KEY_FILE_LEN);
  OPENSSL_cleanse (contents, len);
  return TRUE;
}

static void
till_member_key_finalize (GObject *object)
{
  TillMemberKey *self = TILL_MEMBER_KEY (object);

  OPENSSL_cleanse (self->aes_key, sizeof self->aes_key);
  OPENSSL_cleanse (self->hmac_key, sizeof self->hmac_key);

  G_OBJECT_CLASS (till_member_key_parent_class)->finalize (object);
}

static void
till_member_key_class_init (TillMemberKeyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = till_member_key_finalize;
}

static void
till_member_key_init (TillMemberKey *self)
{
  (void) self;
}

static void
hmac (TillMemberKey *self, const char *text, guint8 out[HASH_LEN])
{
  unsigned int out_len = HASH_LEN;

  if (HMAC (EVP_sha256 (), self->hmac_key, HMAC_KEY_LEN, (const guint8 *) text, strlen (text), out,
            &out_len) == NULL ||
      out_len != HASH_LEN)
    g_error ("HMAC-SHA-256 failed"); /* OpenSSL cannot fail on these arguments */
}

/**
 * till_member_key_load_or_create:
 * @path: the key file, outside the database
 *
 * Returns: (transfer full): the key, or %NULL with @error set
 *   (%TILL_MEMBER_KEY_ERROR_FILE for a file of the wrong size or mode)
 */
TillMemberKey *
till_member_key_load_or_create (const char *path, GError **error)
{
  guint8         bytes[KEY_FILE_LEN];
  GStatBuf       st;
  gboolean       ok;
  TillMemberKey *key;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_stat (path, &st) == 0)
    ok = read_key_file (path, &st, bytes, error);
  else if (errno == ENOENT)
    ok = create_key_file (path, bytes, error);
  else
    ok = set_file_error_errno (error, _ ("Cannot read the member key file"), path, errno);
  if (!ok)
    {
      OPENSSL_cleanse (bytes, sizeof bytes);
      return NULL;
    }
  key = till_member_key_new_from_bytes (bytes);
  OPENSSL_cleanse (bytes, sizeof bytes);
  return key;
}

/**
 * till_member_key_new_from_bytes:
 * @bytes: 64 bytes: the AES key, then the HMAC key
 *
 * Returns: (transfer full): the key
 */
TillMemberKey *
till_member_key_new_from_bytes (const guint8 *bytes)
{
  TillMemberKey *self;

  g_return_val_if_fail (bytes != NULL, NULL);

  self = g_object_new (TILL_TYPE_MEMBER_KEY, NULL);
  memcpy (self->aes_key, bytes, AES_KEY_LEN);
  memcpy (self->hmac_key, bytes + AES_KEY_LEN, HMAC_KEY_LEN);
  return self;
}

/**
 * till_member_key_seal:
 * @plain: UTF-8 text
 *
 * Returns: (transfer full): nonce ‖ ciphertext ‖ tag
 */
GBytes *
till_member_key_seal (TillMemberKey *self, const char *plain)
{
  g_autoptr (EVP_CIPHER_CTX) ctx = NULL;
  gsize   plain_len;
  guint8 *out;
  int     len = 0;
  int     final_len = 0;

  g_return_val_if_fail (TILL_IS_MEMBER_KEY (self), NULL);
  g_return_val_if_fail (plain != NULL, NULL);

  plain_len = strlen (plain);
  g_return_val_if_fail (plain_len < G_MAXINT / 2, NULL);
  out = g_malloc (NONCE_LEN + plain_len + TAG_LEN);
  ctx = EVP_CIPHER_CTX_new ();
  /* A fresh random nonce each time: the same phone sealed twice gives two
   * different blobs, so the sealed column does not reveal equal values. */
  if (ctx == NULL || RAND_bytes (out, NONCE_LEN) != 1 ||
      EVP_EncryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, self->aes_key, out) != 1 ||
      EVP_EncryptUpdate (ctx, out + NONCE_LEN, &len, (const guint8 *) plain, (int) plain_len) !=
          1 ||
      EVP_EncryptFinal_ex (ctx, out + NONCE_LEN + len, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, out + NONCE_LEN + plain_len) != 1)
    g_error ("AES-256-GCM encryption failed"); /* only out of memory gets here */
  g_assert ((gsize) (len + final_len) == plain_len);
  return g_bytes_new_take (out, NONCE_LEN + plain_len + TAG_LEN);
}

/**
 * till_member_key_open:
 * @sealed: what till_member_key_seal() made
 *
 * Returns: (transfer full): the plain text, or %NULL with
 *   %TILL_MEMBER_KEY_ERROR_TAMPERED
 */
char *
till_member_key_open (TillMemberKey *self, GBytes *sealed, GError **error)
{
  g_autoptr (EVP_CIPHER_CTX) ctx = NULL;
  g_autofree char *plain = NULL;
  const guint8    *data;
  gsize            size;
  gsize            cipher_len;
  int              len = 0;
  int              final_len = 0;
  gboolean         ok;

  g_return_val_if_fail (TILL_IS_MEMBER_KEY (self), NULL);
  g_return_val_if_fail (sealed != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (sealed, &size);
  if (size < NONCE_LEN + TAG_LEN || size - NONCE_LEN - TAG_LEN >= G_MAXINT / 2)
    {
      g_set_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_TAMPERED,
                   _ ("A member's sealed data is too short to be genuine"));
      return NULL;
    }
  cipher_len = size - NONCE_LEN - TAG_LEN;
  plain = g_malloc (cipher_len + 1);
  ctx = EVP_CIPHER_CTX_new ();
  ok = ctx != NULL &&
       EVP_DecryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, self->aes_key, data) == 1 &&
       EVP_DecryptUpdate (ctx, (guint8 *) plain, &len, data + NONCE_LEN, (int) cipher_len) == 1 &&
       EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
                            (void *) (data + NONCE_LEN + cipher_len)) == 1 &&
       EVP_DecryptFinal_ex (ctx, (guint8 *) plain + len, &final_len) == 1;
  ERR_clear_error ();
  if (!ok || (gsize) (len + final_len) != cipher_len)
    {
      OPENSSL_cleanse (plain, cipher_len + 1);
      g_set_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_TAMPERED,
                   _ ("A member's sealed data does not open with this till's member key: the key "
                      "is not the one it was sealed with, or the data was altered"));
      return NULL;
    }
  plain[cipher_len] = '\0';
  if (!g_utf8_validate (plain, (gssize) cipher_len, NULL) || strlen (plain) != cipher_len)
    {
      g_set_error (error, TILL_MEMBER_KEY_ERROR, TILL_MEMBER_KEY_ERROR_TAMPERED,
                   _ ("A member's sealed data is not text"));
      return NULL;
    }
  return g_steal_pointer (&plain);
}

/**
 * till_member_key_lookup_hash:
 * @text: already normalized (a phone number as till_member_normalize_phone)
 *
 * Returns: (transfer full): HMAC-SHA-256 of @text, 32 bytes
 */
GBytes *
till_member_key_lookup_hash (TillMemberKey *self, const char *text)
{
  guint8 mac[HASH_LEN];

  g_return_val_if_fail (TILL_IS_MEMBER_KEY (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  hmac (self, text, mac);
  return g_bytes_new (mac, sizeof mac);
}

/**
 * till_member_key_tag:
 * @text: what the tag vouches for (a member id)
 *
 * A tag for a member QR code. It is an HMAC under a key derived for this
 * use (the text is prefixed), so that a tag never equals a lookup hash.
 *
 * Returns: (transfer full): 16 lower-case hex characters
 */
char *
till_member_key_tag (TillMemberKey *self, const char *text)
{
  g_autofree char *prefixed = NULL;
  guint8           mac[HASH_LEN];
  GString         *hex;

  g_return_val_if_fail (TILL_IS_MEMBER_KEY (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  prefixed = g_strconcat ("qr\x1f", text, NULL);
  hmac (self, prefixed, mac);
  hex = g_string_sized_new (QR_TAG_BYTES * 2);
  for (guint i = 0; i < QR_TAG_BYTES; i++)
    g_string_append_printf (hex, "%02x", mac[i]);
  return g_string_free (hex, FALSE);
}
