/* till-config.c: the till's configuration file (GKeyFile)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include <till-hw.h>

#include "till-config.h"
#include "till-scan-detector.h"

#define DEFAULT_LANGUAGE "zh_CN"
#define DEFAULT_IDLE_LOCK_SECONDS (15 * 60)

G_DEFINE_QUARK (till - config - error - quark, till_config_error)

static const char *const device_keys[TILL_N_DEVICES] = {
  "printer", "drawer", "scale", "display", "scanner", "camera",
};

static const char *const wallet_keys[TILL_CONFIG_N_WALLETS] = {
  "wechat",
  "alipay",
  "unionpay",
};

/* A request that takes longer than two minutes is lost anyway. */
#define MAX_PAYMENT_TIMEOUT 120

static char *
dup_nonempty_string (GKeyFile *keyfile, const char *group, const char *key)
{
  g_autofree char *value = g_key_file_get_string (keyfile, group, key, NULL);

  if (value != NULL)
    g_strstrip (value);
  if (value == NULL || *value == '\0')
    return NULL;
  return g_steal_pointer (&value);
}

static char *
dup_wallet_string (GKeyFile *keyfile, TillConfigWallet wallet, const char *key)
{
  g_autofree char *name = g_strdup_printf ("%s-%s", wallet_keys[wallet], key);

  return dup_nonempty_string (keyfile, "payments", name);
}

/* A timeout in seconds, 1 to MAX_PAYMENT_TIMEOUT; @fallback when absent. */
static gboolean
read_timeout (GKeyFile   *keyfile,
              const char *path,
              const char *key,
              guint       fallback,
              guint      *out,
              GError    **error)
{
  g_autoptr (GError) number_error = NULL;
  gint64 seconds;

  *out = fallback;
  if (!g_key_file_has_key (keyfile, "payments", key, NULL))
    return TRUE;
  seconds = g_key_file_get_int64 (keyfile, "payments", key, &number_error);
  if (number_error != NULL || seconds < 1 || seconds > MAX_PAYMENT_TIMEOUT)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   _ ("%s: %s must be a number of seconds from 1 to %d"), path, key,
                   MAX_PAYMENT_TIMEOUT);
      return FALSE;
    }
  *out = (guint) seconds;
  return TRUE;
}

static gboolean
load_payments (TillConfig *self, GKeyFile *keyfile, const char *path, GError **error)
{
  guint timeout;

  self->payments_ca_file = dup_nonempty_string (keyfile, "payments", "ca-file");
  if (!read_timeout (keyfile, path, "timeout", TILL_CONFIG_DEFAULT_PAYMENT_TIMEOUT, &timeout,
                     error))
    return FALSE;
  for (guint i = 0; i < TILL_CONFIG_N_WALLETS; i++)
    {
      TillWalletConfig *wallet = &self->wallets[i];
      g_autofree char  *timeout_key = g_strdup_printf ("%s-timeout", wallet_keys[i]);

      wallet->url = dup_wallet_string (keyfile, i, "url");
      /* WeChat calls it appid, Alipay app_id: either spelling. */
      wallet->app_id = dup_wallet_string (keyfile, i, "appid");
      if (wallet->app_id == NULL)
        wallet->app_id = dup_wallet_string (keyfile, i, "app-id");
      wallet->merchant_id = dup_wallet_string (keyfile, i, "mch-id");
      wallet->api_key = dup_wallet_string (keyfile, i, "api-key");
      wallet->sign_type = dup_wallet_string (keyfile, i, "sign-type");
      wallet->cert_file = dup_wallet_string (keyfile, i, "cert");
      wallet->key_file = dup_wallet_string (keyfile, i, "key");
      if (wallet->key_file == NULL)
        wallet->key_file = dup_wallet_string (keyfile, i, "private-key");
      wallet->public_key_file = dup_wallet_string (keyfile, i, "public-key");
      wallet->terminal_sn = dup_wallet_string (keyfile, i, "terminal-sn");
      wallet->terminal_key = dup_wallet_string (keyfile, i, "terminal-key");
      if (!read_timeout (keyfile, path, timeout_key, timeout, &wallet->timeout, error))
        return FALSE;
    }
  return TRUE;
}

static void
wallet_config_clear (TillWalletConfig *wallet)
{
  g_clear_pointer (&wallet->url, g_free);
  g_clear_pointer (&wallet->app_id, g_free);
  g_clear_pointer (&wallet->merchant_id, g_free);
  g_clear_pointer (&wallet->api_key, g_free);
  g_clear_pointer (&wallet->sign_type, g_free);
  g_clear_pointer (&wallet->cert_file, g_free);
  g_clear_pointer (&wallet->key_file, g_free);
  g_clear_pointer (&wallet->public_key_file, g_free);
  g_clear_pointer (&wallet->terminal_sn, g_free);
  g_clear_pointer (&wallet->terminal_key, g_free);
}

static void
wallet_config_copy (TillWalletConfig *to, const TillWalletConfig *from)
{
  to->url = g_strdup (from->url);
  to->app_id = g_strdup (from->app_id);
  to->merchant_id = g_strdup (from->merchant_id);
  to->api_key = g_strdup (from->api_key);
  to->sign_type = g_strdup (from->sign_type);
  to->cert_file = g_strdup (from->cert_file);
  to->key_file = g_strdup (from->key_file);
  to->public_key_file = g_strdup (from->public_key_file);
  to->terminal_sn = g_strdup (from->terminal_sn);
  to->terminal_key = g_strdup (from->terminal_key);
  to->timeout = from->timeout;
}

/* "enter", "tab" or one printable character; anything else is Enter, with a
 * note in the log (a scanner setting must not stop the till from starting). */
static gunichar
parse_scanner_suffix (const char *text)
{
  gunichar character;

  if (text == NULL || g_ascii_strcasecmp (text, "enter") == 0)
    return TILL_SCAN_SUFFIX_ENTER;
  if (g_ascii_strcasecmp (text, "tab") == 0)
    return TILL_SCAN_SUFFIX_TAB;
  character = g_utf8_get_char_validated (text, -1);
  if (character != (gunichar) -1 && character != (gunichar) -2 && g_unichar_isprint (character) &&
      *g_utf8_next_char (text) == '\0')
    return character;
  g_message ("scanner-suffix=%s is not enter, tab or one character: using enter", text);
  return TILL_SCAN_SUFFIX_ENTER;
}

char *
till_config_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "opentill", "till.conf", NULL);
}

char *
till_config_default_database (void)
{
  return g_build_filename (g_get_user_data_dir (), "opentill", "till.db", NULL);
}

void
till_config_free (TillConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->database);
  g_free (self->language);
  g_free (self->printer_uri);
  g_free (self->drawer_uri);
  g_free (self->scale_uri);
  g_free (self->display_uri);
  g_free (self->scanner_uri);
  g_free (self->camera_uri);
  g_free (self->customer_screen);
  g_free (self->scanner_prefix);
  for (guint i = 0; i < TILL_CONFIG_N_WALLETS; i++)
    wallet_config_clear (&self->wallets[i]);
  g_free (self->payments_ca_file);
  g_free (self);
}

/**
 * till_config_load:
 * @path: (nullable): the configuration file, or %NULL for the default one
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the configuration, or %NULL with @error set
 */
TillConfig *
till_config_load (const char *path, GError **error)
{
  g_autoptr (TillConfig) self = g_new0 (TillConfig, 1);

  self->idle_lock_seconds = DEFAULT_IDLE_LOCK_SECONDS;
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *default_path = NULL;
  g_autoptr (GError) local_error = NULL;

  if (path == NULL)
    path = default_path = till_config_default_path ();

  if (g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &local_error))
    {
      self->path = g_strdup (path);
      self->database = dup_nonempty_string (keyfile, "till", "database");
      self->language = dup_nonempty_string (keyfile, "till", "language");
      if (g_key_file_has_key (keyfile, "till", "idle-lock-seconds", NULL))
        {
          g_autoptr (GError) number_error = NULL;
          gint64 seconds =
              g_key_file_get_int64 (keyfile, "till", "idle-lock-seconds", &number_error);

          if (number_error != NULL || seconds < 0 || seconds > 24 * 3600)
            {
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                           _ ("%s: idle-lock-seconds must be a number of seconds from 0 to 86400"),
                           path);
              return NULL;
            }
          self->idle_lock_seconds = (guint) seconds;
        }
      self->printer_uri = dup_nonempty_string (keyfile, "devices", "printer");
      self->drawer_uri = dup_nonempty_string (keyfile, "devices", "drawer");
      self->scale_uri = dup_nonempty_string (keyfile, "devices", "scale");
      self->display_uri = dup_nonempty_string (keyfile, "devices", "display");
      self->scanner_uri = dup_nonempty_string (keyfile, "devices", "scanner");
      self->camera_uri = dup_nonempty_string (keyfile, "devices", "camera");
      self->customer_screen = dup_nonempty_string (keyfile, "devices", "customer-screen");
      self->scanner_prefix = dup_nonempty_string (keyfile, "devices", "scanner-prefix");
      {
        g_autofree char *suffix = dup_nonempty_string (keyfile, "devices", "scanner-suffix");
        self->scanner_suffix = parse_scanner_suffix (suffix);
      }
      if (!load_payments (self, keyfile, path, error))
        return NULL;
    }
  else if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, local_error->domain, local_error->code, "%s: %s", path,
                   local_error->message);
      return NULL;
    }

  if (self->database == NULL)
    self->database = till_config_default_database ();
  if (self->language == NULL)
    self->language = g_strdup (DEFAULT_LANGUAGE);
  if (self->drawer_uri == NULL)
    self->drawer_uri = g_strdup ("printer");
  if (self->customer_screen == NULL)
    self->customer_screen = g_strdup ("auto");
  if (self->scanner_suffix == 0)
    self->scanner_suffix = TILL_SCAN_SUFFIX_ENTER;
  for (guint i = 0; i < TILL_CONFIG_N_WALLETS; i++)
    if (self->wallets[i].timeout == 0)
      self->wallets[i].timeout = TILL_CONFIG_DEFAULT_PAYMENT_TIMEOUT;
  return g_steal_pointer (&self);
}

char *
till_config_peek_language (const char *path)
{
  g_autoptr (TillConfig) config = till_config_load (path, NULL);

  return g_strdup (config != NULL ? config->language : DEFAULT_LANGUAGE);
}

/* ---- Device settings ---------------------------------------------------- */

TillConfig *
till_config_copy (const TillConfig *self)
{
  TillConfig *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (TillConfig, 1);
  copy->path = g_strdup (self->path);
  copy->database = g_strdup (self->database);
  copy->language = g_strdup (self->language);
  copy->idle_lock_seconds = self->idle_lock_seconds;
  copy->printer_uri = g_strdup (self->printer_uri);
  copy->drawer_uri = g_strdup (self->drawer_uri);
  copy->scale_uri = g_strdup (self->scale_uri);
  copy->display_uri = g_strdup (self->display_uri);
  copy->scanner_uri = g_strdup (self->scanner_uri);
  copy->camera_uri = g_strdup (self->camera_uri);
  copy->customer_screen = g_strdup (self->customer_screen);
  copy->scanner_prefix = g_strdup (self->scanner_prefix);
  copy->scanner_suffix = self->scanner_suffix;
  for (guint i = 0; i < TILL_CONFIG_N_WALLETS; i++)
    wallet_config_copy (&copy->wallets[i], &self->wallets[i]);
  copy->payments_ca_file = g_strdup (self->payments_ca_file);
  return copy;
}

const char *
till_device_kind_to_key (TillDeviceKind kind)
{
  g_return_val_if_fail (kind < TILL_N_DEVICES, NULL);
  return device_keys[kind];
}

static char **
device_field (TillConfig *config, TillDeviceKind kind)
{
  switch (kind)
    {
    case TILL_DEVICE_PRINTER:
      return &config->printer_uri;
    case TILL_DEVICE_DRAWER:
      return &config->drawer_uri;
    case TILL_DEVICE_SCALE:
      return &config->scale_uri;
    case TILL_DEVICE_DISPLAY:
      return &config->display_uri;
    case TILL_DEVICE_SCANNER:
      return &config->scanner_uri;
    case TILL_DEVICE_CAMERA:
      return &config->camera_uri;
    case TILL_N_DEVICES:
    default:
      g_assert_not_reached ();
    }
}

const char *
till_config_get_device_uri (const TillConfig *config, TillDeviceKind kind)
{
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (kind < TILL_N_DEVICES, NULL);
  return *device_field ((TillConfig *) config, kind);
}

void
till_config_set_device_uri (TillConfig *config, TillDeviceKind kind, const char *uri)
{
  char **field;

  g_return_if_fail (config != NULL);
  g_return_if_fail (kind < TILL_N_DEVICES);

  field = device_field (config, kind);
  if (uri != NULL && *uri == '\0')
    uri = NULL;
  /* The drawer is on the printer unless it has a line of its own. */
  if (uri == NULL && kind == TILL_DEVICE_DRAWER)
    uri = "printer";
  if (*field == uri)
    return;
  g_free (*field);
  *field = g_strdup (uri);
}

/**
 * till_device_kind_get_label:
 *
 * Returns: what the device is called on screen and in messages ("Scale")
 */
const char *
till_device_kind_get_label (TillDeviceKind kind)
{
  switch (kind)
    {
    case TILL_DEVICE_PRINTER:
      return _ ("Receipt printer");
    case TILL_DEVICE_DRAWER:
      return _ ("Cash drawer");
    case TILL_DEVICE_SCALE:
      return _ ("Scale");
    case TILL_DEVICE_DISPLAY:
      return _ ("Customer display");
    case TILL_DEVICE_SCANNER:
      return _ ("Serial scanner");
    case TILL_DEVICE_CAMERA:
      return _ ("Camera");
    case TILL_N_DEVICES:
    default:
      g_assert_not_reached ();
    }
}

/* The transport part of a device URI: the scheme the till can open and the
 * address each backend's own parser takes. */
static gboolean
check_transport (const char *uri, GError **error)
{
  g_autoptr (GUri) parsed = NULL;
  const char *scheme;
  const char *host;

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, error);
  if (parsed == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (parsed);
  host = g_uri_get_host (parsed);
  if (g_str_equal (scheme, "serial"))
    {
      TillSerialSettings settings = { 0 };
      gboolean           ok = till_serial_settings_parse (uri, &settings, error);

      if (ok && (settings.path == NULL || settings.path[0] != '/'))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("“%s” names no serial port (serial:///dev/ttyUSB0)"), uri);
          ok = FALSE;
        }
      till_serial_settings_clear (&settings);
      return ok;
    }
  if (g_str_equal (scheme, "usb"))
    {
      TillUsbAddress address = { 0 };
      gboolean       ok = till_usb_address_parse (uri, &address, error);

      if (ok)
        till_usb_address_clear (&address);
      return ok;
    }
  if (g_str_equal (scheme, "tcp") || g_str_equal (scheme, "cups"))
    {
      if (host == NULL || *host == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       g_str_equal (scheme, "tcp") ? _ ("“%s” names no host (tcp://10.0.0.5:9100)")
                                                   : _ ("“%s” names no queue (cups://QueueName)"),
                       uri);
          return FALSE;
        }
      return TRUE;
    }
  if (g_str_equal (scheme, "file"))
    {
      if (g_uri_get_path (parsed)[0] != '/')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("“%s” names no file (file:///path)"), uri);
          return FALSE;
        }
      return TRUE;
    }
  /* The simulators, for the demo and the tests. */
  if (g_str_equal (scheme, "sim"))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _ ("“%s” is not a connection the till knows: use serial, usb, tcp, cups or file"),
               scheme);
  return FALSE;
}

/* protocol= of a scale URI: one a driver speaks. */
static gboolean
check_scale (const char *uri, GError **error)
{
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, error);
  g_autoptr (GHashTable) params = NULL;
  const char *query;
  const char *protocol = NULL;

  if (parsed == NULL)
    return FALSE;
  query = g_uri_get_query (parsed);
  if (query != NULL)
    {
      params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, error);
      if (params == NULL)
        return FALSE;
      protocol = g_hash_table_lookup (params, "protocol");
    }
  if (protocol == NULL || !g_strv_contains (till_scale_list_protocols (), protocol))
    {
      g_autofree char *known = g_strjoinv (", ", (char **) till_scale_list_protocols ());

      g_set_error (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_PROTOCOL,
                   _ ("the scale needs protocol= one of %s"), known);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_camera (const char *uri, GError **error)
{
  g_autoptr (GUri) parsed = NULL;

  if (g_str_has_prefix (uri, "push:"))
    return TRUE;
  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (parsed != NULL && g_str_equal (g_uri_get_scheme (parsed), "v4l2") &&
      g_uri_get_path (parsed)[0] == '/')
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _ ("“%s” is not a camera: use v4l2:///dev/video0"), uri);
  return FALSE;
}

static gboolean
check_device_uri (TillDeviceKind kind, const char *uri, GError **error)
{
  switch (kind)
    {
    case TILL_DEVICE_PRINTER:
      {
        g_autoptr (TillPrinterProfile) profile = NULL;

        if (!check_transport (uri, error))
          return FALSE;
        profile = till_printer_profile_new_from_uri (uri, error);
        return profile != NULL;
      }
    case TILL_DEVICE_DRAWER:
      return g_str_equal (uri, "printer") || check_transport (uri, error);
    case TILL_DEVICE_SCALE:
      return check_transport (uri, error) && check_scale (uri, error);
    case TILL_DEVICE_DISPLAY:
      {
        g_autoptr (TillPoleDisplay) display = NULL;

        if (!check_transport (uri, error))
          return FALSE;
        display = till_pole_display_new (uri, error);
        return display != NULL;
      }
    case TILL_DEVICE_SCANNER:
      {
        g_autoptr (TillSerialScanner) scanner = till_serial_scanner_new (uri, error);

        return scanner != NULL &&
               check_transport (till_serial_scanner_get_transport_uri (scanner), error);
      }
    case TILL_DEVICE_CAMERA:
      return check_camera (uri, error);
    case TILL_N_DEVICES:
    default:
      g_assert_not_reached ();
    }
}

/**
 * till_config_validate_device_uri:
 * The message names the device, then the driver's reason.
 */
gboolean
till_config_validate_device_uri (TillDeviceKind kind, const char *uri, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (kind < TILL_N_DEVICES, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (uri == NULL || *uri == '\0')
    return TRUE;
  if (strpbrk (uri, " \t\r\n") != NULL)
    {
      g_set_error (error, TILL_CONFIG_ERROR, TILL_CONFIG_ERROR_INVALID,
                   _ ("%s: “%s” has spaces in it; write them as %%20"),
                   till_device_kind_get_label (kind), uri);
      return FALSE;
    }
  if (!check_device_uri (kind, uri, &local_error))
    {
      g_set_error (error, TILL_CONFIG_ERROR, TILL_CONFIG_ERROR_INVALID, "%s: %s",
                   till_device_kind_get_label (kind), local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
customer_screen_valid (const char *text)
{
  char *end = NULL;

  if (text == NULL || g_str_equal (text, "auto") || g_str_equal (text, "off"))
    return TRUE;
  g_ascii_strtoull (text, &end, 10);
  return end != text && *end == '\0';
}

gboolean
till_config_validate_devices (const TillConfig *config, GError **error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint kind = 0; kind < TILL_N_DEVICES; kind++)
    if (!till_config_validate_device_uri (kind, till_config_get_device_uri (config, kind), error))
      return FALSE;
  if (!customer_screen_valid (config->customer_screen))
    {
      g_set_error (error, TILL_CONFIG_ERROR, TILL_CONFIG_ERROR_INVALID,
                   _ ("Customer screen: “%s” is not auto, off or a monitor number"),
                   config->customer_screen);
      return FALSE;
    }
  if (config->scanner_suffix != 0 && !g_unichar_isprint (config->scanner_suffix) &&
      config->scanner_suffix != TILL_SCAN_SUFFIX_ENTER &&
      config->scanner_suffix != TILL_SCAN_SUFFIX_TAB)
    {
      g_set_error (error, TILL_CONFIG_ERROR, TILL_CONFIG_ERROR_INVALID,
                   _ ("Scanner suffix: it must be Enter, Tab or one printable character"));
      return FALSE;
    }
  return TRUE;
}

static void
set_or_remove (GKeyFile *keyfile, const char *key, const char *value)
{
  if (value != NULL && *value != '\0')
    g_key_file_set_string (keyfile, "devices", key, value);
  else
    g_key_file_remove_key (keyfile, "devices", key, NULL);
}

/**
 * till_config_save_devices:
 * The [till] group and anything else in the file stay as they are: only the
 * device keys the till reads are set or removed.
 */
gboolean
till_config_save_devices (TillConfig *config, const char *path, GError **error)
{
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  g_autofree char *default_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;
  g_autofree char *suffix = NULL;
  gsize            length = 0;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!till_config_validate_devices (config, error))
    return FALSE;
  if (path == NULL)
    path = config->path;
  if (path == NULL)
    path = default_path = till_config_default_path ();

  if (!g_key_file_load_from_file (
          keyfile, path, G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, local_error->domain, local_error->code, "%s: %s", path,
                   local_error->message);
      return FALSE;
    }
  g_clear_error (&local_error);

  for (guint kind = 0; kind < TILL_N_DEVICES; kind++)
    set_or_remove (keyfile, device_keys[kind], till_config_get_device_uri (config, kind));
  set_or_remove (keyfile, "customer-screen", config->customer_screen);
  set_or_remove (keyfile, "scanner-prefix", config->scanner_prefix);
  if (config->scanner_suffix == 0 || config->scanner_suffix == TILL_SCAN_SUFFIX_ENTER)
    suffix = g_strdup ("enter");
  else if (config->scanner_suffix == TILL_SCAN_SUFFIX_TAB)
    suffix = g_strdup ("tab");
  else
    suffix = g_ucs4_to_utf8 (&config->scanner_suffix, 1, NULL, NULL, NULL);
  set_or_remove (keyfile, "scanner-suffix", suffix);

  data = g_key_file_to_data (keyfile, &length, NULL);
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _ ("Cannot make the folder %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  if (!g_file_set_contents (path, data, (gssize) length, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (g_strcmp0 (config->path, path) != 0)
    {
      g_free (config->path);
      config->path = g_strdup (path);
    }
  return TRUE;
}

char *
till_config_build_device_uri (const char *scheme, const char *target, const char *const *query)
{
  GString *uri;
  gboolean first = TRUE;

  g_return_val_if_fail (scheme != NULL, NULL);
  g_return_val_if_fail (target != NULL, NULL);

  uri = g_string_new (scheme);
  g_string_append (uri, "://");
  if (g_str_equal (scheme, "serial") || g_str_equal (scheme, "file"))
    {
      if (target[0] != '/')
        g_string_append_c (uri, '/');
      g_string_append_uri_escaped (uri, target, "/", FALSE);
    }
  else if (g_str_equal (scheme, "cups"))
    g_string_append_uri_escaped (uri, target, NULL, FALSE);
  else
    g_string_append_uri_escaped (uri, target, ":[]", FALSE);

  for (guint i = 0; query != NULL && query[i] != NULL && query[i + 1] != NULL; i += 2)
    {
      if (query[i + 1][0] == '\0')
        continue;
      g_string_append_c (uri, first ? '?' : '&');
      first = FALSE;
      g_string_append_uri_escaped (uri, query[i], NULL, FALSE);
      g_string_append_c (uri, '=');
      g_string_append_uri_escaped (uri, query[i + 1], "/:", FALSE);
    }
  return g_string_free (uri, FALSE);
}

/* ---- Payments --------------------------------------------------------------- */

const char *
till_config_wallet_to_string (TillConfigWallet wallet)
{
  g_return_val_if_fail (wallet < TILL_CONFIG_N_WALLETS, NULL);
  return wallet_keys[wallet];
}

static gboolean
require (const char *value, TillConfigWallet wallet, const char *key, GError **error)
{
  if (value != NULL)
    return TRUE;
  g_set_error (error, TILL_CONFIG_ERROR, TILL_CONFIG_ERROR_INVALID,
               _ ("Payments: %s-%s is missing from [payments]"), wallet_keys[wallet], key);
  return FALSE;
}

static gboolean
require_file (const char *path, TillConfigWallet wallet, const char *key, GError **error)
{
  if (!require (path, wallet, key, error))
    return FALSE;
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  g_set_error (error, TILL_CONFIG_ERROR, TILL_CONFIG_ERROR_INVALID,
               _ ("Payments: %s-%s: the file %s does not exist"), wallet_keys[wallet], key, path);
  return FALSE;
}

/**
 * till_config_validate_wallet:
 * A wallet that is not set up (no URL) is valid: the till just does not
 * take it. The simulator needs nothing else: it makes its own credentials.
 */
gboolean
till_config_validate_wallet (const TillConfig *config, TillConfigWallet wallet, GError **error)
{
  const TillWalletConfig *settings;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (wallet < TILL_CONFIG_N_WALLETS, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  settings = &config->wallets[wallet];
  if (settings->url == NULL || g_str_equal (settings->url, TILL_CONFIG_PAYMENTS_SIM))
    return TRUE;
  if (!g_str_has_prefix (settings->url, "https://") && !g_str_has_prefix (settings->url, "http://"))
    {
      g_set_error (error, TILL_CONFIG_ERROR, TILL_CONFIG_ERROR_INVALID,
                   _ ("Payments: %s-url “%s” is not an https:// address or sim://"),
                   wallet_keys[wallet], settings->url);
      return FALSE;
    }
  if (config->payments_ca_file != NULL &&
      !g_file_test (config->payments_ca_file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, TILL_CONFIG_ERROR, TILL_CONFIG_ERROR_INVALID,
                   _ ("Payments: ca-file: the file %s does not exist"), config->payments_ca_file);
      return FALSE;
    }
  switch (wallet)
    {
    case TILL_CONFIG_WALLET_WECHAT:
      if (!require (settings->app_id, wallet, "appid", error) ||
          !require (settings->merchant_id, wallet, "mch-id", error) ||
          !require (settings->api_key, wallet, "api-key", error))
        return FALSE;
      if (settings->sign_type != NULL && !g_str_equal (settings->sign_type, "MD5") &&
          !g_str_equal (settings->sign_type, "HMAC-SHA256"))
        {
          g_set_error (error, TILL_CONFIG_ERROR, TILL_CONFIG_ERROR_INVALID,
                       _ ("Payments: wechat-sign-type must be MD5 or HMAC-SHA256"));
          return FALSE;
        }
      /* Reversal and refunds (/secapi) need the merchant certificate. */
      return require_file (settings->cert_file, wallet, "cert", error) &&
             require_file (settings->key_file, wallet, "key", error);
    case TILL_CONFIG_WALLET_ALIPAY:
      return require (settings->app_id, wallet, "app-id", error) &&
             require_file (settings->key_file, wallet, "private-key", error) &&
             require_file (settings->public_key_file, wallet, "public-key", error);
    case TILL_CONFIG_WALLET_UNIONPAY:
      return require (settings->terminal_sn, wallet, "terminal-sn", error) &&
             require (settings->terminal_key, wallet, "terminal-key", error);
    case TILL_CONFIG_N_WALLETS:
    default:
      g_assert_not_reached ();
    }
}
