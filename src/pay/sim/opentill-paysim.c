/* opentill-paysim.c: the provider simulator as a program, for the demo store
 * and for trying a till against WeChat Pay, Alipay and an aggregator
 * without a merchant account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "opentill-paysim"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdlib.h>

#include "till-alipay.h"
#include "till-paysim.h"

/* Demo credentials: not secrets, the simulator only. */
#define WECHAT_APPID "wx8888888888888888"
#define WECHAT_MCH_ID "1900000109"
#define WECHAT_API_KEY "opentillpaysimdemokey00000000000"
#define ALIPAY_APP_ID "2014072300007148"
#define TERMINAL_SN "100000330001234567"
#define TERMINAL_KEY "opentillpaysimterminalkey0000000"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
write_pem (const char *path, EVP_PKEY *key, gboolean private_part, GError **error)
{
  BIO             *bio = BIO_new (BIO_s_mem ());
  char            *data = NULL;
  long             length;
  gboolean         written;
  g_autofree char *text = NULL;

  if (private_part)
    written = PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL) == 1;
  else
    written = PEM_write_bio_PUBKEY (bio, key) == 1;
  length = BIO_get_mem_data (bio, &data);
  if (written)
    text = g_strndup (data, length);
  BIO_free (bio);
  if (!written)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("Cannot encode the key for %s"), path);
      return FALSE;
    }
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* The key pair kept as @name-private.pem / @name-public.pem in @dir, made
 * on the first run so that a till configured once keeps working. */
static EVP_PKEY *
load_or_make_key (const char *dir, const char *name, GError **error)
{
  g_autofree char *private_name = g_strconcat (name, "-private.pem", NULL);
  g_autofree char *public_name = g_strconcat (name, "-public.pem", NULL);
  g_autofree char *private_path = g_build_filename (dir, private_name, NULL);
  g_autofree char *public_path = g_build_filename (dir, public_name, NULL);
  g_autofree char *text = NULL;
  EVP_PKEY        *key;

  if (g_file_get_contents (private_path, &text, NULL, NULL))
    return till_alipay_load_private_key (text, error);

  key = EVP_RSA_gen (2048);
  if (key == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("Cannot make an RSA key"));
      return NULL;
    }
  if (!write_pem (private_path, key, TRUE, error) || !write_pem (public_path, key, FALSE, error))
    {
      EVP_PKEY_free (key);
      return NULL;
    }
  return key;
}

int
main (int argc, char **argv)
{
  int                port = 0;
  guint              stall_ms = 60000;
  g_autofree char   *keys_dir = NULL;
  g_autofree char   *tls_cert = NULL;
  g_autofree char   *tls_key = NULL;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_ ("Port on 127.0.0.1 (default: any free one)"),
      "N" },
    { "keys-dir", 'k', 0, G_OPTION_ARG_FILENAME, &keys_dir,
      N_ ("Where the Alipay key pairs are kept (default: the user cache)"), "DIR" },
    { "stall-ms", 0, 0, G_OPTION_ARG_INT, &stall_ms,
      N_ ("How long codes ending 52 hold their reply"), "MS" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, N_ ("Serve HTTPS with this certificate"),
      "PEM" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_ ("The certificate's private key"),
      "PEM" },
    { NULL },
  };
  g_autoptr (GOptionContext) options = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPaySim) sim = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autofree char *url = NULL;
  g_autofree char *app_public = NULL;
  g_autofree char *app_private = NULL;
  g_autofree char *alipay_public = NULL;
  EVP_PKEY        *app_key;
  EVP_PKEY        *alipay_key;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  options = g_option_context_new (NULL);
  g_option_context_set_summary (
      options, _ ("Simulates the WeChat Pay v2, Alipay and aggregator code-payment APIs on "
                  "loopback. The last two digits of a payment code choose what happens: "
                  "00 paid, 11 password then paid, 12 never confirmed, 21 no balance, "
                  "31 system error unpaid, 32 system error paid, 41 bad reply signature, "
                  "51 reply dropped, 52 reply stalled, 61 code expired."));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (port < 0 || port > G_MAXUINT16)
    {
      g_printerr (_ ("The port must be between 0 and 65535\n"));
      return EXIT_FAILURE;
    }
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_printerr (_ ("--tls-cert and --tls-key go together\n"));
      return EXIT_FAILURE;
    }

  if (keys_dir == NULL)
    keys_dir = g_build_filename (g_get_user_cache_dir (), "opentill-paysim", NULL);
  if (g_mkdir_with_parents (keys_dir, 0700) != 0)
    {
      g_printerr (_ ("Cannot create %s\n"), keys_dir);
      return EXIT_FAILURE;
    }
  app_key = load_or_make_key (keys_dir, "app", &error);
  alipay_key = app_key != NULL ? load_or_make_key (keys_dir, "alipay", &error) : NULL;
  if (alipay_key == NULL)
    {
      g_printerr ("%s\n", error->message);
      EVP_PKEY_free (app_key);
      return EXIT_FAILURE;
    }
  if (tls_cert != NULL)
    {
      certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
      if (certificate == NULL)
        {
          g_printerr ("%s\n", error->message);
          EVP_PKEY_free (app_key);
          EVP_PKEY_free (alipay_key);
          return EXIT_FAILURE;
        }
    }

  sim = till_paysim_new ();
  till_paysim_set_port (sim, (guint16) port);
  till_paysim_set_stall_ms (sim, stall_ms);
  till_paysim_set_wechat (sim, WECHAT_APPID, WECHAT_MCH_ID, WECHAT_API_KEY);
  /* The till's key pair verifies its requests (the public half is used). */
  till_paysim_set_alipay (sim, ALIPAY_APP_ID, app_key, alipay_key);
  till_paysim_set_aggregator (sim, TERMINAL_SN, TERMINAL_KEY);
  EVP_PKEY_free (app_key);
  EVP_PKEY_free (alipay_key);
  if (!till_paysim_start (sim, certificate, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  url = till_paysim_dup_url (sim);
  app_private = g_build_filename (keys_dir, "app-private.pem", NULL);
  app_public = g_build_filename (keys_dir, "app-public.pem", NULL);
  alipay_public = g_build_filename (keys_dir, "alipay-public.pem", NULL);
  g_print ("url: %s\n", url);
  g_print ("wechat: base-url=%s appid=%s mch-id=%s api-key=%s\n", url, WECHAT_APPID, WECHAT_MCH_ID,
           WECHAT_API_KEY);
  g_print ("alipay: gateway-url=%s/gateway.do app-id=%s private-key=%s alipay-public-key=%s\n", url,
           ALIPAY_APP_ID, app_private, alipay_public);
  g_print ("aggregator: base-url=%s terminal-sn=%s terminal-key=%s\n", url, TERMINAL_SN,
           TERMINAL_KEY);
  g_print ("(the till's Alipay public key, as uploaded to Alipay: %s)\n", app_public);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  till_paysim_stop (sim);
  return EXIT_SUCCESS;
}
