/* till-application.c: the till program: options, configuration, the open store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <till-aggregator-pay.h>
#include <till-alipay.h>
#include <till-hw.h>
#include <till-paysim.h>
#include <till-printer-sim.h>
#include <till-receipt.h>
#include <till-wechat-pay.h>

#include "till-application.h"
#include "till-config.h"
#include "till-devices.h"
#include "till-printer-monitor.h"
#include "till-window.h"

struct _TillApplication
{
  AdwApplication parent_instance;

  char    *database;
  char    *config_file;
  char    *printer_uri;
  char    *drawer_uri;
  gboolean demo;
  guint    demo_skus;
  gboolean windowed;

  TillConfig         *config; /* as the till runs now (the demo's simulators filled in) */
  TillSession        *session;
  TillPrinterMonitor *printer_monitor;
  TillDevices        *devices;
  TillPaySim         *paysim; /* serving the wallets configured as sim:// */
  guint               resume_wallets_id;
  char               *startup_error;
};

G_DEFINE_FINAL_TYPE (TillApplication, till_application, ADW_TYPE_APPLICATION)

enum
{
  PROP_0,
  PROP_DATABASE,
  PROP_CONFIG_FILE,
  PROP_PRINTER_URI,
  PROP_DEMO,
  PROP_DEMO_SKUS,
  PROP_WINDOWED,
  PROP_DEVICES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GOptionEntry option_entries[] = {
  { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_ ("The till database (default: $XDG_DATA_HOME/opentill/till.db)"), N_ ("PATH") },
  { "config", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_ ("The configuration file (default: $XDG_CONFIG_HOME/opentill/till.conf)"), N_ ("FILE") },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_ ("Create the demo store when the database has no products"), NULL },
  { "printer", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_ ("The receipt printer, e.g. sim://printer?dir=/tmp/receipts"), N_ ("URI") },
  { "windowed", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Run in a window instead of full screen"),
    NULL },
  { NULL }
};

/* The cashier actions the application exports under their own names, so that
 * `gapplication action org.opentill.Till sale.scan "'6901234567892'"` drives the
 * till from outside; each one is forwarded to the active window. */
static const struct
{
  const char *name;
  const char *parameter_type;
} forwarded_actions[] = {
  { "win.login", "(ss)" },       { "win.logout", NULL },         { "sale.scan", "s" },
  { "sale.add-plu", "s" },       { "sale.add-product", "x" },    { "sale.search", "s" },
  { "sale.show-category", "x" }, { "sale.select-line", "u" },    { "sale.set-quantity", "s" },
  { "sale.delete-line", NULL },  { "sale.clear", NULL },         { "sale.pay", NULL },
  { "pay.cash", "x" },           { "pay.exact", NULL },          { "pay.cancel", NULL },
  { "sale.new", NULL },          { "win.reprint-last", NULL },   { "win.print-retry", NULL },
  { "win.login-badge", "s" },    { "sale.void-sale", NULL },     { "sale.override-price", "s" },
  { "sale.discount-line", "s" }, { "sale.suspend", NULL },       { "sale.resume", "x" },
  { "sale.resume-list", NULL },  { "pay.tender", "s" },          { "pay.card", "(xss)" },
  { "pay.find-card", "s" },      { "pay.stored-value", "(sx)" }, { "pay.voucher", "s" },
  { "pay.code", "s" },           { "pay.remove", "u" },          { "pay.void-card", "u" },
  { "pay.cancel-wallet", NULL }, { "pay.defer", NULL },
};

static void
forwarded_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillApplication *self = user_data;
  GtkWindow       *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char      *name = g_action_get_name (G_ACTION (action));

  if (!TILL_IS_WINDOW (window) ||
      !till_window_activate_action (TILL_WINDOW (window), name, parameter))
    g_message ("Action %s is not available now", name);
}

static void
quit_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

/* The sync page's "Sync now": push and pull at once, whatever the backoff. */
static void
sync_now_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillApplication *self = user_data;

  if (self->session != NULL)
    till_sync_worker_kick (till_session_get_sync_worker (self->session), TRUE);
}

/* The demo runs on simulated devices, beside its database where a person can
 * watch them: receipts become PNGs in receipts/, the pole display draws itself
 * to display/display.png, and the scale weighs what scale-weight.txt says
 * (echo 0.456 > scale-weight.txt puts 456 g on it). A configured device wins. */
static void
use_simulated_devices (TillApplication *self, TillConfig *config, const char *db_dir)
{
  g_autofree char *escaped_dir = g_uri_escape_string (db_dir, "/", FALSE);

  if (self->printer_uri == NULL)
    self->printer_uri = g_strdup_printf ("sim://printer?dir=%s/receipts&width=80", escaped_dir);
  if (config->scale_uri == NULL)
    config->scale_uri = g_strdup_printf (
        "sim://scale?protocol=toledo-8217&weight=0&control=%s/scale-weight.txt", escaped_dir);
  if (config->display_uri == NULL)
    config->display_uri =
        g_strdup_printf ("sim://display?protocol=led8&dir=%s/display", escaped_dir);
  /* The QR wallets against the providers' simulated APIs: scan any code
   * ending 00 to pay, 21 to be declined (till-paysim.h). */
  for (guint i = 0; i < TILL_CONFIG_N_WALLETS; i++)
    if (config->wallets[i].url == NULL)
      config->wallets[i].url = g_strdup (TILL_CONFIG_PAYMENTS_SIM);
}

/* ---- QR wallets ------------------------------------------------------------- */

/* The simulator's merchant: credentials made up for it alone. */
#define SIM_WECHAT_APPID "wx8888888888888888"
#define SIM_WECHAT_MCH_ID "1900000109"
#define SIM_WECHAT_API_KEY "opentillsimulatorapikey000000000"
#define SIM_ALIPAY_APP_ID "2014072300007148"
#define SIM_TERMINAL_SN "sim-terminal-0001"
#define SIM_TERMINAL_KEY "opentill-sim-terminal-key"

/* The simulator answers at once: its customers confirm in a second, so the
 * cadence is the providers' (PAYMENTS.md §0.3) shrunk to match. */
static const TillWalletCadence sim_cadence = {
  .first_query_ms = 300,
  .poll_interval_ms = 300,
  .deadline_ms = 8000,
  .min_reverse_ms = 0,
  .reverse_tries = 3,
  .reverse_interval_ms = 300,
};

static TillPaySim *
ensure_paysim (TillApplication *self, GError **error)
{
  g_autoptr (TillPaySim) paysim = NULL;

  if (self->paysim != NULL)
    return self->paysim;
  paysim = till_paysim_new ();
  if (!till_paysim_start (paysim, NULL, error))
    return NULL;
  self->paysim = g_steal_pointer (&paysim);
  return self->paysim;
}

static EVP_PKEY *
load_key_file (const char *path, gboolean private, GError **error)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  return private ? till_alipay_load_private_key (text, error)
                 : till_alipay_load_public_key (text, error);
}

/* A client for the simulator, which is told the credentials it checks. */
static TillWalletClient *
create_sim_client (TillApplication *self, TillConfigWallet wallet, GError **error)
{
  TillPaySim      *paysim = ensure_paysim (self, error);
  g_autofree char *url = NULL;

  if (paysim == NULL)
    return NULL;
  url = till_paysim_dup_url (paysim);
  switch (wallet)
    {
    case TILL_CONFIG_WALLET_WECHAT:
      till_paysim_set_wechat (paysim, SIM_WECHAT_APPID, SIM_WECHAT_MCH_ID, SIM_WECHAT_API_KEY);
      return g_object_new (TILL_TYPE_WECHAT_PAY, "base-url", url, "appid", SIM_WECHAT_APPID,
                           "mch-id", SIM_WECHAT_MCH_ID, "api-key", SIM_WECHAT_API_KEY, "sign-type",
                           TILL_WECHAT_SIGN_HMAC_SHA256, "timeout", 5, NULL);
    case TILL_CONFIG_WALLET_ALIPAY:
      {
        EVP_PKEY         *app_key = EVP_RSA_gen (2048);
        EVP_PKEY         *alipay_key = EVP_RSA_gen (2048);
        g_autofree char  *gateway = g_strconcat (url, "/gateway.do", NULL);
        TillWalletClient *client;

        if (app_key == NULL || alipay_key == NULL)
          {
            EVP_PKEY_free (app_key);
            EVP_PKEY_free (alipay_key);
            g_set_error_literal (error, TILL_CONFIG_ERROR, TILL_CONFIG_ERROR_FAILED,
                                 "RSA key generation failed");
            return NULL;
          }
        /* Each side holds the other's public half: a private key carries it. */
        till_paysim_set_alipay (paysim, SIM_ALIPAY_APP_ID, app_key, alipay_key);
        client = g_object_new (TILL_TYPE_ALIPAY, "gateway-url", gateway, "app-id",
                               SIM_ALIPAY_APP_ID, "private-key", app_key, "alipay-public-key",
                               alipay_key, "timeout", 5, NULL);
        EVP_PKEY_free (app_key);
        EVP_PKEY_free (alipay_key);
        return client;
      }
    case TILL_CONFIG_WALLET_UNIONPAY:
      till_paysim_set_aggregator (paysim, SIM_TERMINAL_SN, SIM_TERMINAL_KEY);
      return g_object_new (TILL_TYPE_AGGREGATOR_PAY, "base-url", url, "terminal-sn",
                           SIM_TERMINAL_SN, "terminal-key", SIM_TERMINAL_KEY, "provider",
                           TILL_WALLET_UNIONPAY, "timeout", 5, NULL);
    case TILL_CONFIG_N_WALLETS:
    default:
      g_assert_not_reached ();
    }
}

static TillWalletClient *
create_client (const TillConfig *config, TillConfigWallet wallet, GError **error)
{
  const TillWalletConfig *settings = &config->wallets[wallet];
  g_autoptr (GTlsDatabase) trust = NULL;

  if (config->payments_ca_file != NULL)
    {
      trust = g_tls_file_database_new (config->payments_ca_file, error);
      if (trust == NULL)
        return NULL;
    }
  switch (wallet)
    {
    case TILL_CONFIG_WALLET_WECHAT:
      {
        g_autoptr (GTlsCertificate) certificate =
            g_tls_certificate_new_from_files (settings->cert_file, settings->key_file, error);
        TillWechatSignType sign_type = g_strcmp0 (settings->sign_type, "MD5") == 0
                                           ? TILL_WECHAT_SIGN_MD5
                                           : TILL_WECHAT_SIGN_HMAC_SHA256;

        if (certificate == NULL)
          return NULL;
        return g_object_new (TILL_TYPE_WECHAT_PAY, "base-url", settings->url, "appid",
                             settings->app_id, "mch-id", settings->merchant_id, "api-key",
                             settings->api_key, "sign-type", sign_type, "client-certificate",
                             certificate, "tls-database", trust, "timeout", settings->timeout,
                             NULL);
      }
    case TILL_CONFIG_WALLET_ALIPAY:
      {
        EVP_PKEY         *app_key = load_key_file (settings->key_file, TRUE, error);
        EVP_PKEY         *alipay_key = NULL;
        TillWalletClient *client;

        if (app_key == NULL)
          return NULL;
        alipay_key = load_key_file (settings->public_key_file, FALSE, error);
        if (alipay_key == NULL)
          {
            EVP_PKEY_free (app_key);
            return NULL;
          }
        client =
            g_object_new (TILL_TYPE_ALIPAY, "gateway-url", settings->url, "app-id",
                          settings->app_id, "private-key", app_key, "alipay-public-key", alipay_key,
                          "tls-database", trust, "timeout", settings->timeout, NULL);
        EVP_PKEY_free (app_key);
        EVP_PKEY_free (alipay_key);
        return client;
      }
    case TILL_CONFIG_WALLET_UNIONPAY:
      return g_object_new (TILL_TYPE_AGGREGATOR_PAY, "base-url", settings->url, "terminal-sn",
                           settings->terminal_sn, "terminal-key", settings->terminal_key,
                           "provider", TILL_WALLET_UNIONPAY, "tls-database", trust, "timeout",
                           settings->timeout, NULL);
    case TILL_CONFIG_N_WALLETS:
    default:
      g_assert_not_reached ();
    }
}

/* Gives the session a client for every wallet the configuration sets up,
 * then carries on whatever a previous run left in flight. A wallet that is
 * misconfigured is left out (the till still sells) and logged. */

static gboolean
resume_wallets_cb (gpointer user_data)
{
  TillApplication   *self = user_data;
  TillWalletService *service = till_session_get_wallet_service (self->session);

  if (!till_wallet_service_is_busy (service))
    till_wallet_service_resume (service);
  return G_SOURCE_CONTINUE;
}
static void
setup_payments (TillApplication *self, const TillConfig *config)
{
  for (guint i = 0; i < TILL_CONFIG_N_WALLETS; i++)
    {
      const TillWalletConfig *settings = &config->wallets[i];
      g_autoptr (TillWalletClient) client = NULL;
      g_autoptr (GError) error = NULL;
      gboolean sim;

      if (settings->url == NULL)
        continue;
      if (!till_config_validate_wallet (config, i, &error))
        {
          g_warning ("%s", error->message);
          continue;
        }
      sim = g_str_equal (settings->url, TILL_CONFIG_PAYMENTS_SIM);
      client = sim ? create_sim_client (self, i, &error) : create_client (config, i, &error);
      if (client == NULL)
        {
          g_warning ("Payments: %s is not available: %s", till_config_wallet_to_string (i),
                     error->message);
          continue;
        }
      till_session_add_wallet_client (self->session, client, sim ? &sim_cadence : NULL);
    }
  /* Attempts a killed till left pending are queried (never paid twice), and
   * refunds retried; the payment screen hears of each through the service.
   * What is still unresolved (the network was down) is retried each minute. */
  till_wallet_service_resume (till_session_get_wallet_service (self->session));
  self->resume_wallets_id =
      g_timeout_add_seconds_full (G_PRIORITY_LOW, 60, resume_wallets_cb, self, NULL);
}

static void
open_session (TillApplication *self)
{
  g_autoptr (TillConfig) config = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *db_dir = NULL;
  g_autofree char *key_path = NULL;
  const char      *db_path;

  config = till_config_load (self->config_file, &error);
  if (config == NULL)
    {
      self->startup_error =
          g_strdup_printf (_ ("The configuration cannot be read: %s"), error->message);
      return;
    }
  if (self->printer_uri == NULL)
    self->printer_uri = g_strdup (config->printer_uri);
  self->drawer_uri = g_strdup (config->drawer_uri);

  db_path = self->database != NULL ? self->database : config->database;
  db_dir = g_path_get_dirname (db_path);
  key_path = g_build_filename (db_dir, "till.key", NULL);

  if (self->demo)
    use_simulated_devices (self, config, db_dir);

  self->session = till_session_open (db_path, key_path, self->demo ? self->demo_skus : 0, &error);
  if (self->session == NULL)
    {
      if (g_error_matches (error, TILL_STORE_ERROR, TILL_STORE_ERROR_LOCKED))
        self->startup_error = g_strdup_printf (
            _ ("The database %s is in use by another till program. Close the other "
               "till first.\n\n%s"),
            db_path, error->message);
      else if (g_error_matches (error, TILL_STORE_ERROR, TILL_STORE_ERROR_TOO_NEW))
        self->startup_error = g_strdup_printf (
            _ ("The database %s was written by a newer version of OpenTill. Install "
               "the newer version.\n\n%s"),
            db_path, error->message);
      else
        self->startup_error = g_strdup_printf (_ ("The database %s cannot be opened.\n\n%s"),
                                               db_path, error->message);
      return;
    }

  /* Receipts a previous run could not print go out now. */
  self->printer_monitor = till_printer_monitor_new (till_session_get_store (self->session),
                                                    self->printer_uri, self->drawer_uri);
  /* The other devices open in their own threads: nothing here waits for them. */
  self->devices = till_devices_new (config);
  setup_payments (self, config);
  /* Queued sales go to HQ, and master data comes from it, in the background
   * (a till that is not enrolled waits for enrollment). */
  till_sync_worker_start (till_session_get_sync_worker (self->session));

  /* What the device settings screen shows and edits. */
  g_free (config->printer_uri);
  config->printer_uri = g_strdup (self->printer_uri);
  if (config->path == NULL)
    config->path = g_strdup (self->config_file);
  self->config = g_steal_pointer (&config);
}

static int
till_application_handle_local_options (GApplication *application, GVariantDict *options)
{
  TillApplication *self = TILL_APPLICATION (application);
  const char      *text = NULL;
  gboolean         flag = FALSE;

  /* Filenames arrive as bytestrings ("^ay"). */
  if (g_variant_dict_lookup (options, "db", "^&ay", &text))
    g_object_set (self, "database", text, NULL);
  if (g_variant_dict_lookup (options, "config", "^&ay", &text))
    g_object_set (self, "config-file", text, NULL);
  if (g_variant_dict_lookup (options, "printer", "&s", &text))
    g_object_set (self, "printer-uri", text, NULL);
  if (g_variant_dict_lookup (options, "demo", "b", &flag))
    g_object_set (self, "demo", flag, NULL);
  if (g_variant_dict_lookup (options, "windowed", "b", &flag))
    g_object_set (self, "windowed", flag, NULL);

  return G_APPLICATION_CLASS (till_application_parent_class)
      ->handle_local_options (application, options);
}

static void
till_application_startup (GApplication *application)
{
  TillApplication          *self = TILL_APPLICATION (application);
  static const GActionEntry app_actions[] = {
    { "quit", quit_action_cb, NULL, NULL, NULL, { 0 } },
    { "sync-now", sync_now_action_cb, NULL, NULL, NULL, { 0 } },
  };
  g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (till_application_parent_class)->startup (application);

  /* sim://printer for the demo and the tests: a printer that draws PNGs. */
  till_printer_sim_register_transport ();

  /* A till has one look, whatever the desktop prefers. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
  gtk_css_provider_load_from_resource (css, "/org/opentill/Till/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  for (guint i = 0; i < G_N_ELEMENTS (forwarded_actions); i++)
    {
      const char *type = forwarded_actions[i].parameter_type;
      g_autoptr (GSimpleAction) action = g_simple_action_new (
          forwarded_actions[i].name, type != NULL ? G_VARIANT_TYPE (type) : NULL);

      g_signal_connect (action, "activate", G_CALLBACK (forwarded_action_cb), self);
      g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (action));
    }
}

static void
till_application_activate (GApplication *application)
{
  TillApplication *self = TILL_APPLICATION (application);
  GtkWindow       *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      if (self->session == NULL && self->startup_error == NULL)
        open_session (self);

      window = GTK_WINDOW (till_window_new (ADW_APPLICATION (self), self->session));
      if (self->session == NULL)
        {
          /* Never a crash or a silent exit: say what is wrong, on screen and on stderr. */
          g_printerr ("opentill: %s\n", self->startup_error);
          till_window_show_fatal_error (TILL_WINDOW (window), _ ("The till cannot start"),
                                        self->startup_error);
        }
      if (!self->windowed)
        gtk_window_fullscreen (window);
    }
  gtk_window_present (window);
}

static void
till_application_shutdown (GApplication *application)
{
  till_application_close_session (TILL_APPLICATION (application));
  G_APPLICATION_CLASS (till_application_parent_class)->shutdown (application);
}

static void
till_application_finalize (GObject *object)
{
  TillApplication *self = TILL_APPLICATION (object);

  g_clear_object (&self->devices);
  g_clear_object (&self->printer_monitor);
  g_clear_handle_id (&self->resume_wallets_id, g_source_remove);
  g_clear_object (&self->session);
  if (self->paysim != NULL)
    till_paysim_stop (self->paysim);
  g_clear_object (&self->paysim);
  g_clear_pointer (&self->config, till_config_free);
  g_free (self->drawer_uri);
  g_free (self->database);
  g_free (self->config_file);
  g_free (self->printer_uri);
  g_free (self->startup_error);
  G_OBJECT_CLASS (till_application_parent_class)->finalize (object);
}

static void
till_application_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillApplication *self = TILL_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_string (value, self->database);
      break;
    case PROP_CONFIG_FILE:
      g_value_set_string (value, self->config_file);
      break;
    case PROP_PRINTER_URI:
      g_value_set_string (value, self->printer_uri);
      break;
    case PROP_DEMO:
      g_value_set_boolean (value, self->demo);
      break;
    case PROP_DEMO_SKUS:
      g_value_set_uint (value, self->demo_skus);
      break;
    case PROP_WINDOWED:
      g_value_set_boolean (value, self->windowed);
      break;
    case PROP_DEVICES:
      g_value_set_object (value, self->devices);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_string (GObject *object, char **field, const GValue *value, GParamSpec *pspec)
{
  if (g_strcmp0 (*field, g_value_get_string (value)) == 0)
    return;
  g_free (*field);
  *field = g_value_dup_string (value);
  g_object_notify_by_pspec (object, pspec);
}

static void
till_application_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TillApplication *self = TILL_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      set_string (object, &self->database, value, pspec);
      break;
    case PROP_CONFIG_FILE:
      set_string (object, &self->config_file, value, pspec);
      break;
    case PROP_PRINTER_URI:
      set_string (object, &self->printer_uri, value, pspec);
      break;
    case PROP_DEMO:
      if (self->demo != g_value_get_boolean (value))
        {
          self->demo = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_DEMO_SKUS:
      if (self->demo_skus != g_value_get_uint (value))
        {
          self->demo_skus = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_WINDOWED:
      if (self->windowed != g_value_get_boolean (value))
        {
          self->windowed = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_application_class_init (TillApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = till_application_finalize;
  object_class->get_property = till_application_get_property;
  object_class->set_property = till_application_set_property;
  application_class->handle_local_options = till_application_handle_local_options;
  application_class->startup = till_application_startup;
  application_class->activate = till_application_activate;
  application_class->shutdown = till_application_shutdown;

  properties[PROP_DATABASE] =
      g_param_spec_string ("database", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONFIG_FILE] =
      g_param_spec_string ("config-file", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRINTER_URI] =
      g_param_spec_string ("printer-uri", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEMO] =
      g_param_spec_boolean ("demo", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEMO_SKUS] =
      g_param_spec_uint ("demo-skus", NULL, NULL, 1, G_MAXUINT, TILL_DEMO_DEFAULT_SKUS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WINDOWED] =
      g_param_spec_boolean ("windowed", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICES] =
      g_param_spec_object ("devices", NULL, NULL, TILL_TYPE_DEVICES,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
till_application_init (TillApplication *self)
{
  self->demo_skus = TILL_DEMO_DEFAULT_SKUS;
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _ ("OpenTill: the point-of-sale till"));
}

TillApplication *
till_application_new (const char *application_id, GApplicationFlags flags)
{
  g_return_val_if_fail (application_id != NULL, NULL);

  return g_object_new (TILL_TYPE_APPLICATION, "application-id", application_id, "flags", flags,
                       "resource-base-path", "/org/opentill/Till", NULL);
}

TillSession *
till_application_get_session (TillApplication *self)
{
  g_return_val_if_fail (TILL_IS_APPLICATION (self), NULL);
  return self->session;
}

const char *
till_application_get_startup_error (TillApplication *self)
{
  g_return_val_if_fail (TILL_IS_APPLICATION (self), NULL);
  return self->startup_error;
}

const char *
till_application_get_printer_uri (TillApplication *self)
{
  g_return_val_if_fail (TILL_IS_APPLICATION (self), NULL);
  return self->printer_uri;
}

/**
 * till_application_get_printer_monitor:
 * Returns: (transfer none) (nullable): what sends the print queue to the
 *   printer and the drawer; %NULL until activation or without a store
 */
TillPrinterMonitor *
till_application_get_printer_monitor (TillApplication *self)
{
  g_return_val_if_fail (TILL_IS_APPLICATION (self), NULL);
  return self->printer_monitor;
}

/**
 * till_application_get_devices:
 * Returns: (transfer none) (nullable): the pole display, scanners, scale and
 *   customer window; %NULL until activation or without a store
 */
TillDevices *
till_application_get_devices (TillApplication *self)
{
  g_return_val_if_fail (TILL_IS_APPLICATION (self), NULL);
  return self->devices;
}

/**
 * till_application_get_config:
 * Returns: (transfer none) (nullable): the configuration the till runs with
 *   (the printer given on the command line and the demo's simulators filled
 *   in); %NULL until activation or without a store
 */
const TillConfig *
till_application_get_config (TillApplication *self)
{
  g_return_val_if_fail (TILL_IS_APPLICATION (self), NULL);
  return self->config;
}

/**
 * till_application_save_devices:
 * @devices: a configuration (a copy of till_application_get_config() with
 *   its devices changed)
 *
 * Writes the [devices] group of @devices to the configuration file and puts
 * it to work without a restart: the print queue goes to the new printer and
 * drawer (the waiting jobs are kept), and the other devices are closed and
 * opened again from the new URIs ("devices" is notified). Nothing changes
 * when a URI is invalid (TILL_CONFIG_ERROR_INVALID) or the file cannot be
 * written.
 */
gboolean
till_application_save_devices (TillApplication *self, const TillConfig *devices, GError **error)
{
  g_autoptr (TillConfig) config = NULL;
  TillDevices *old_devices;

  g_return_val_if_fail (TILL_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (devices != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->config == NULL || self->session == NULL)
    {
      g_set_error_literal (error, TILL_CONFIG_ERROR, TILL_CONFIG_ERROR_FAILED,
                           _ ("The till has not started: there are no devices to set."));
      return FALSE;
    }
  config = till_config_copy (self->config);
  for (guint kind = 0; kind < TILL_N_DEVICES; kind++)
    till_config_set_device_uri (config, kind, till_config_get_device_uri (devices, kind));
  g_free (config->customer_screen);
  config->customer_screen = g_strdup (devices->customer_screen);
  g_free (config->scanner_prefix);
  config->scanner_prefix = g_strdup (devices->scanner_prefix);
  config->scanner_suffix = devices->scanner_suffix;

  if (!till_config_save_devices (config, self->config_file, error))
    return FALSE;

  g_free (self->printer_uri);
  self->printer_uri = g_strdup (config->printer_uri);
  g_free (self->drawer_uri);
  self->drawer_uri = g_strdup (config->drawer_uri);
  till_printer_monitor_set_uris (self->printer_monitor, self->printer_uri, self->drawer_uri);

  /* The old drivers let go of their ports before the new ones open them. */
  old_devices = g_steal_pointer (&self->devices);
  if (old_devices != NULL)
    {
      g_object_run_dispose (G_OBJECT (old_devices));
      g_object_unref (old_devices);
    }
  self->devices = till_devices_new (config);

  till_config_free (self->config);
  self->config = g_steal_pointer (&config);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICES]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRINTER_URI]);
  return TRUE;
}

/* ---- Language --------------------------------------------------------------- */

static const char *
find_localedir (void)
{
  const char      *override = g_getenv ("OPENTILL_LOCALEDIR");
  g_autofree char *installed = NULL;

  /* Running from the build tree: the freshly built catalogs. */
  if (override != NULL && *override != '\0')
    return g_file_test (override, G_FILE_TEST_IS_DIR) ? override : SOURCE_LOCALEDIR;
  installed = g_build_filename (LOCALEDIR, "zh_CN", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  if (!g_file_test (installed, G_FILE_TEST_EXISTS) &&
      g_file_test (SOURCE_LOCALEDIR, G_FILE_TEST_IS_DIR))
    return SOURCE_LOCALEDIR;
  return LOCALEDIR;
}

void
till_application_setup_i18n (const char *language)
{
  const char *current;

  if (language == NULL || *language == '\0')
    language = "zh_CN";
  if (!g_str_equal (language, "system"))
    {
      /* LANGUAGE beats LANG and LC_* in gettext, and leaves number formats alone. */
      g_setenv ("LANGUAGE", language, TRUE);
      if (g_str_has_prefix (language, "zh"))
        g_setenv ("PANGO_LANGUAGE", "zh-cn", FALSE);
    }

  current = setlocale (LC_ALL, "");
  /* gettext ignores LANGUAGE under the C locale; C.UTF-8 honours it (glibc). */
  if (current == NULL || g_str_equal (current, "C") || g_str_equal (current, "POSIX"))
    {
      if (setlocale (LC_ALL, "C.UTF-8") == NULL)
        g_warning ("The C.UTF-8 locale is missing: the till will show English");
    }

  bindtextdomain (GETTEXT_PACKAGE, find_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/**
 * till_application_close_session:
 *
 * Stops the devices and the printer monitor and lets go of the session, as the
 * till does when it quits: once the windows are gone too, the store closes and
 * its lock is released. A registered application stays referenced by its D-Bus
 * export until it quits, so waiting for finalize would hold the database.
 */
void
till_application_close_session (TillApplication *self)
{
  g_return_if_fail (TILL_IS_APPLICATION (self));

  if (self->devices != NULL)
    g_object_run_dispose (G_OBJECT (self->devices));
  g_clear_object (&self->devices);
  g_clear_object (&self->printer_monitor);
  g_clear_handle_id (&self->resume_wallets_id, g_source_remove);
  /* The sync thread ends before the store closes, even when a window still
   * holds the session. */
  if (self->session != NULL)
    till_sync_worker_stop (till_session_get_sync_worker (self->session));
  g_clear_object (&self->session);
  /* The wallet service went with the session: nothing calls the simulator now. */
  if (self->paysim != NULL)
    till_paysim_stop (self->paysim);
  g_clear_object (&self->paysim);
}

/**
 * till_application_get_paysim:
 * Returns: (transfer none) (nullable): the simulator of the providers' APIs
 *   serving the wallets configured as sim://, for the demo and the tests;
 *   %NULL when none is
 */
TillPaySim *
till_application_get_paysim (TillApplication *self)
{
  g_return_val_if_fail (TILL_IS_APPLICATION (self), NULL);
  return self->paysim;
}
