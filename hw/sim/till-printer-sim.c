/* till-printer-sim.c: an ESC/POS receipt printer in software, for tests and the demo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-printer-sim"

#include "config.h"

#include "till-barcode-symbols.h"

#include <arpa/inet.h>
#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <pango/pangocairo.h>
#include <poll.h>
#include <qrencode.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "till-printer-sim.h"
#include "till-pty.h"
#include "till-sim-devices.h"
#include "till-sim-private.h"
#include "till-transport.h"

#define ESC 0x1b
#define FS 0x1c
#define GS 0x1d
#define DLE 0x10

/* Font A: 12×24 dots for ASCII, 24×24 for 汉字, at 203 dpi. */
#define ANK_WIDTH 12
#define KANJI_WIDTH 24
#define CELL_HEIGHT 24
#define LINE_SPACING 30 /* ESC 2: about 1/6 inch */
#define MARGIN 16       /* paper above the first line and below the last */
#define CUT_MARK 24
#define FONT_FAMILY "Noto Sans CJK SC"
#define FONT_PX 22
#define FONT_B_WIDTH 9 /* GS f 1: HRI in font B, 9×17 dots */

/* GS k defaults (ESC @ restores them): GS h 162 dots, GS w 3 dots, no HRI. */
#define BAR_HEIGHT 162
#define BAR_MODULE 3
#define HRI_GAP 4 /* dots between the bars and their HRI text */

/* A command handler's answer when the stream ends in the middle of the command. */
#define NEED_MORE 0

typedef enum
{
  ITEM_TEXT,
  ITEM_FEED,
  ITEM_RASTER,
  ITEM_QR,
  ITEM_BARCODE,
} ItemKind;

typedef struct
{
  gunichar ch;
  guint8   cell; /* ANK_WIDTH or KANJI_WIDTH */
  guint8   wmul;
  guint8   hmul;
  guint8   bold : 1;
  guint8   underline : 1;
} Glyph;

typedef struct
{
  ItemKind kind;
  int      align;
  guint    height; /* dots of paper this item takes */
  GArray  *glyphs; /* ITEM_TEXT */
  GBytes  *raster; /* ITEM_RASTER: 1 bit per dot, MSB left */
  guint    width_bytes;
  guint    rows;
  guint    xscale;
  guint    yscale;
  char    *qr_payload; /* ITEM_QR */
  guint    qr_module;
  int      qr_level;
  GBytes  *bars; /* ITEM_BARCODE: one byte per dot column, 1 = bar */
  guint    bar_height;
  guint    hri_position; /* GS H: bit 0 above, bit 1 below */
  guint    hri_cell;
  char    *hri;
} Item;

typedef struct
{
  GPtrArray *items;
  GPtrArray *lines;
} Receipt;

struct _TillPrinterSim
{
  GObject parent_instance;

  guint       width;
  GByteArray *pending;
  GIConv      from_gb18030;

  /* Printer modes. */
  gboolean chinese;
  int      align;
  gboolean bold;
  gboolean underline;
  guint    ank_wmul, ank_hmul;
  guint    kanji_wmul, kanji_hmul;
  guint    line_spacing;
  guint8   status[5];

  /* The line being filled. */
  GArray *line;
  guint   line_dots;
  int     line_align;

  /* QR symbol storage (GS ( k). */
  GBytes *qr_data;
  guint   qr_module;
  int     qr_level;

  /* Barcode modes (GS h, GS w, GS H, GS f). */
  guint    bar_height;
  guint    bar_module;
  guint    hri_position;
  gboolean hri_font_b;

  Receipt    *current;
  GPtrArray  *receipts;
  guint       n_written;
  GPtrArray  *lines;
  GPtrArray  *qr_payloads;
  GPtrArray  *barcodes;
  GByteArray *replies;
  guint       n_cuts;
  guint       n_drawer_kicks;
  guint       n_rasters;
  guint       n_garbage;
  guint       n_truncated;
  guint       n_unsupported;
  guint       n_overflows;

  /* Serving over a byte pipe (a pty or TCP): a thread feeds the parser, so
   * everything it touches is under @lock. */
  GRecMutex   lock;
  GThread    *server_thread;
  int         stop_pipe[2];
  int         master_fd;    /* pty master; -1 when not serving a pty */
  int         keep_fd;      /* our own open pty device end: no hang-up between users */
  int         listen_fd;    /* TCP listener; -1 when not serving TCP */
  int         client_fd;    /* the TCP connection of the job in progress */
  GByteArray *received;     /* every byte that arrived over the pipe */
  gsize       unplug_after; /* 0: never */
  gboolean    unplug_now;
  gboolean    unplugged;
  gboolean    silent;
  guint       n_connections;
};

G_DEFINE_FINAL_TYPE (TillPrinterSim, till_printer_sim, G_TYPE_OBJECT)

static void
item_free (gpointer data)
{
  Item *item = data;

  g_clear_pointer (&item->glyphs, g_array_unref);
  g_clear_pointer (&item->raster, g_bytes_unref);
  g_free (item->qr_payload);
  g_clear_pointer (&item->bars, g_bytes_unref);
  g_free (item->hri);
  g_free (item);
}

static Receipt *
receipt_new (void)
{
  Receipt *receipt = g_new0 (Receipt, 1);

  receipt->items = g_ptr_array_new_with_free_func (item_free);
  receipt->lines = g_ptr_array_new_with_free_func (g_free);
  return receipt;
}

static void
receipt_free (gpointer data)
{
  Receipt *receipt = data;

  g_ptr_array_unref (receipt->items);
  g_ptr_array_unref (receipt->lines);
  g_free (receipt);
}

static Item *
add_item (TillPrinterSim *self, ItemKind kind, guint height)
{
  Item *item = g_new0 (Item, 1);

  item->kind = kind;
  item->align = self->align;
  item->height = height;
  g_ptr_array_add (self->current->items, item);
  return item;
}

static void
reset_modes (TillPrinterSim *self)
{
  /* Chinese clones power on, and reset, in Chinese mode (DEVICES.md §1.3). */
  self->chinese = TRUE;
  self->align = 0;
  self->bold = FALSE;
  self->underline = FALSE;
  self->ank_wmul = self->ank_hmul = 1;
  self->kanji_wmul = self->kanji_hmul = 1;
  self->line_spacing = LINE_SPACING;
  self->qr_module = 3;
  self->qr_level = 0;
  self->bar_height = BAR_HEIGHT;
  self->bar_module = BAR_MODULE;
  self->hri_position = 0;
  self->hri_font_b = FALSE;
}

/* Prints the line buffer: a text item, and its text for the tests. */
static void
print_line (TillPrinterSim *self)
{
  g_autoptr (GString) text = g_string_new (NULL);
  guint tallest = 1;
  Item *item;

  for (guint i = 0; i < self->line->len; i++)
    {
      Glyph *glyph = &g_array_index (self->line, Glyph, i);

      g_string_append_unichar (text, glyph->ch);
      tallest = MAX (tallest, glyph->hmul);
    }
  item = add_item (self, ITEM_TEXT, CELL_HEIGHT * tallest + (self->line_spacing - CELL_HEIGHT));
  item->align = self->line_align;
  item->glyphs = g_steal_pointer (&self->line);
  self->line = g_array_new (FALSE, FALSE, sizeof (Glyph));
  self->line_dots = 0;

  g_ptr_array_add (self->lines, g_strdup (text->str));
  g_ptr_array_add (self->current->lines, g_string_free (g_steal_pointer (&text), FALSE));
}

static void
flush_line (TillPrinterSim *self)
{
  if (self->line->len > 0)
    print_line (self);
}

static void
feed_dots (TillPrinterSim *self, guint dots)
{
  if (dots > 0)
    add_item (self, ITEM_FEED, dots);
}

static void
add_glyph (TillPrinterSim *self, gunichar ch, gboolean kanji)
{
  Glyph glyph = { 0 };
  guint dots;

  glyph.ch = ch;
  glyph.cell = kanji ? KANJI_WIDTH : ANK_WIDTH;
  glyph.wmul = kanji ? self->kanji_wmul : self->ank_wmul;
  glyph.hmul = kanji ? self->kanji_hmul : self->ank_hmul;
  glyph.bold = self->bold;
  glyph.underline = self->underline;
  dots = glyph.cell * glyph.wmul;

  if (self->line_dots + dots > self->width)
    {
      /* The printer prints the full buffer and carries on on the next line. */
      self->n_overflows++;
      print_line (self);
    }
  if (self->line->len == 0)
    self->line_align = self->align;
  g_array_append_val (self->line, glyph);
  self->line_dots += dots;
}

static void
finish_receipt (TillPrinterSim *self)
{
  g_ptr_array_add (self->receipts, self->current);
  self->current = receipt_new ();
}

static gunichar
decode_gb (TillPrinterSim *self, const guint8 *bytes, gsize len)
{
  char  in[4];
  char  out[8];
  char *in_ptr = in;
  char *out_ptr = out;
  gsize in_left = len;
  gsize out_left = sizeof out;

  memcpy (in, bytes, len);
  g_iconv (self->from_gb18030, NULL, NULL, NULL, NULL);
  if (g_iconv (self->from_gb18030, &in_ptr, &in_left, &out_ptr, &out_left) == (gsize) -1)
    return 0;
  return g_utf8_get_char_validated (out, sizeof out - out_left);
}

/* Text bytes: one character. Returns the bytes consumed or NEED_MORE. */
static gsize
parse_text (TillPrinterSim *self, const guint8 *p, gsize avail)
{
  guint8 b = p[0];

  if (b >= 0x20 && b < 0x7f)
    {
      add_glyph (self, b, FALSE);
      return 1;
    }
  if (!self->chinese)
    {
      /* A code page character: the simulator has no code page fonts. */
      self->n_unsupported++;
      add_glyph (self, '?', FALSE);
      return 1;
    }
  if (b == 0x80 || b == 0xff)
    {
      self->n_garbage++;
      return 1;
    }
  if (avail < 2)
    return NEED_MORE;
  if (p[1] >= 0x30 && p[1] <= 0x39)
    {
      gunichar ch;

      /* A 4-byte GB18030 sequence: not in the printer's two-byte font. */
      if (avail < 4)
        return NEED_MORE;
      ch = decode_gb (self, p, 4);
      if (ch == 0 || ch == (gunichar) -1 || ch == (gunichar) -2)
        {
          self->n_garbage++;
          return 1;
        }
      self->n_unsupported++;
      add_glyph (self, ch, TRUE);
      return 4;
    }
  if (p[1] >= 0x40 && p[1] <= 0xfe && p[1] != 0x7f)
    {
      gunichar ch = decode_gb (self, p, 2);

      if (ch == 0 || ch == (gunichar) -1 || ch == (gunichar) -2)
        {
          self->n_unsupported++;
          ch = 0x25A1;
        }
      add_glyph (self, ch, TRUE);
      return 2;
    }
  self->n_garbage++;
  return 1;
}

static void
print_qr (TillPrinterSim *self)
{
  QRcode          *code;
  g_autofree char *payload = NULL;
  gsize            len;
  const char      *data;
  Item            *item;

  if (self->qr_data == NULL)
    {
      /* Print with nothing stored: the printer ignores it. */
      self->n_garbage++;
      return;
    }
  data = g_bytes_get_data (self->qr_data, &len);
  payload = g_strndup (data, len);
  code = QRcode_encodeString (payload, 0, (QRecLevel) self->qr_level, QR_MODE_8, 1);
  if (code == NULL)
    {
      self->n_garbage++;
      return;
    }
  flush_line (self);
  item = add_item (self, ITEM_QR, (guint) code->width * self->qr_module);
  item->qr_payload = g_strdup (payload);
  item->qr_module = self->qr_module;
  item->qr_level = self->qr_level;
  QRcode_free (code);
  g_ptr_array_add (self->qr_payloads, g_steal_pointer (&payload));
}

/* GS ( k with cn = 0x31 (QR); @params are the pL+pH·256 bytes after pH. */
static void
handle_qr (TillPrinterSim *self, const guint8 *params, gsize len)
{
  if (len < 2 || params[0] != 0x31)
    return; /* another symbology (PDF417, …): accepted and ignored */
  switch (params[1])
    {
    case 0x41: /* model */
      break;
    case 0x43: /* module size */
      if (len >= 3 && params[2] >= 1 && params[2] <= 16)
        self->qr_module = params[2];
      else
        self->n_garbage++;
      break;
    case 0x45: /* error correction */
      if (len >= 3 && params[2] >= 0x30 && params[2] <= 0x33)
        self->qr_level = params[2] - 0x30;
      else
        self->n_garbage++;
      break;
    case 0x50: /* store */
      g_clear_pointer (&self->qr_data, g_bytes_unref);
      if (len >= 3)
        self->qr_data = g_bytes_new (params + 3, len - 3);
      break;
    case 0x51: /* print */
      print_qr (self);
      break;
    default:
      break;
    }
}

/* Barcodes (GS k) */

/* What the printer draws for GS k: one byte per dot column (1: a bar), and the
 * text the symbol encodes, which is also its HRI. */
typedef struct
{
  GByteArray *columns;
  GString    *text;
  guint       module; /* GS w: the narrow bar, in dots */
} Bars;

static void
bars_clear (Bars *bars)
{
  g_clear_pointer (&bars->columns, g_byte_array_unref);
  if (bars->text != NULL)
    g_string_free (g_steal_pointer (&bars->text), TRUE);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Bars, bars_clear)

#define CODE128_SHIFT 98
#define CODE128_FNC1 102
#define CODE128_FNC2 97
#define CODE128_FNC3 96

/* Code 39: its 43 characters, then the start/stop '*'; each is five bars and
 * four spaces, three of them wide. */
static const char        code39_chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";
static const char *const code39_elements[] = {
  "nnnwwnwnn", "wnnwnnnnw", "nnwwnnnnw", "wnwwnnnnn", "nnnwwnnnw", "wnnwwnnnn", "nnwwwnnnn",
  "nnnwnnwnw", "wnnwnnwnn", "nnwwnnwnn", "wnnnnwnnw", "nnwnnwnnw", "wnwnnwnnn", "nnnnwwnnw",
  "wnnnwwnnn", "nnwnwwnnn", "nnnnnwwnw", "wnnnnwwnn", "nnwnnwwnn", "nnnnwwwnn", "wnnnnnnww",
  "nnwnnnnww", "wnwnnnnwn", "nnnnwnnww", "wnnnwnnwn", "nnwnwnnwn", "nnnnnnwww", "wnnnnnwwn",
  "nnwnnnwwn", "nnnnwnwwn", "wwnnnnnnw", "nwwnnnnnw", "wwwnnnnnn", "nwnnwnnnw", "wwnnwnnnn",
  "nwwnwnnnn", "nwnnnnwnw", "wwnnnnwnn", "nwwnnnwnn", "nwnwnwnnn", "nwnwnnnwn", "nwnnnwnwn",
  "nnnwnwnwn",
};
#define CODE39_START_STOP "nwnnwnwnn"
/* The wide element for each module width 1-6: Epson's 2.5-3 times the narrow. */
static const guint8 code39_wide[] = { 0, 3, 5, 8, 10, 13, 15 };

static void
bars_add (Bars *bars, gboolean bar, guint dots)
{
  guint8 value = bar ? 1 : 0;

  for (guint i = 0; i < dots; i++)
    g_byte_array_append (bars->columns, &value, 1);
}

/* One character per module: '1' a bar, '0' a space. */
static void
bars_add_modules (Bars *bars, const char *pattern)
{
  for (const char *p = pattern; *p != '\0'; p++)
    bars_add (bars, *p == '1', bars->module);
}

/* Widths in modules, alternating bar, space, bar…, starting with a bar. */
static void
bars_add_widths (Bars *bars, const char *widths)
{
  gboolean bar = TRUE;

  for (const char *p = widths; *p != '\0'; p++, bar = !bar)
    bars_add (bars, bar, (guint) (*p - '0') * bars->module);
}

/* The GS1 check digit of @n digits: weights 3, 1, 3… from the right. */
static char
gs1_check_digit (const char *digits, gsize n)
{
  guint sum = 0;

  for (gsize i = 0; i < n; i++)
    {
      guint digit = (guint) (digits[n - 1 - i] - '0');

      sum += i % 2 == 0 ? 3 * digit : digit;
    }
  return (char) ('0' + (10 - sum % 10) % 10);
}

/* @len digits into @out as @full digits and a NUL: either all of them, or one
 * fewer and the printer adds the check digit. A check digit that was sent is
 * printed as sent: printers check only the length and the characters. */
static gboolean
read_gs1_digits (const guint8 *data, gsize len, gsize full, char *out)
{
  if (len != full && len != full - 1)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (data[i]))
        return FALSE;
      out[i] = (char) data[i];
    }
  if (len == full - 1)
    out[full - 1] = gs1_check_digit (out, full - 1);
  out[full] = '\0';
  return TRUE;
}

static void
add_ean13_modules (Bars *bars, const char *digits)
{
  const char *parity = till_barcode_ean13_parity (digits[0] - '0');

  bars_add_modules (bars, "101");
  for (int i = 1; i <= 6; i++)
    {
      int digit = digits[i] - '0';

      bars_add_modules (bars, till_barcode_ean_digit (digit, parity[i - 1]));
    }
  bars_add_modules (bars, "01010");
  for (int i = 7; i <= 12; i++)
    bars_add_modules (bars, till_barcode_ean_digit (digits[i] - '0', 'R'));
  bars_add_modules (bars, "101");
}

static gboolean
encode_ean13 (Bars *bars, const guint8 *data, gsize len)
{
  char digits[14];

  if (!read_gs1_digits (data, len, 13, digits))
    return FALSE;
  add_ean13_modules (bars, digits);
  g_string_append (bars->text, digits);
  return TRUE;
}

/* UPC-A is EAN-13 with a first digit of 0, which leaves every digit L. */
static gboolean
encode_upc_a (Bars *bars, const guint8 *data, gsize len)
{
  char digits[14] = { '0' };

  if (!read_gs1_digits (data, len, 12, digits + 1))
    return FALSE;
  add_ean13_modules (bars, digits);
  g_string_append (bars->text, digits + 1);
  return TRUE;
}

static gboolean
encode_ean8 (Bars *bars, const guint8 *data, gsize len)
{
  char digits[9];

  if (!read_gs1_digits (data, len, 8, digits))
    return FALSE;
  bars_add_modules (bars, "101");
  for (int i = 0; i < 4; i++)
    bars_add_modules (bars, till_barcode_ean_digit (digits[i] - '0', 'L'));
  bars_add_modules (bars, "01010");
  for (int i = 4; i < 8; i++)
    bars_add_modules (bars, till_barcode_ean_digit (digits[i] - '0', 'R'));
  bars_add_modules (bars, "101");
  g_string_append (bars->text, digits);
  return TRUE;
}

/* One Code 39 character and the narrow gap that follows it. */
static void
add_code39_char (Bars *bars, const char *elements)
{
  for (guint i = 0; i < 9; i++)
    bars_add (bars, i % 2 == 0, elements[i] == 'w' ? code39_wide[bars->module] : bars->module);
  bars_add (bars, FALSE, bars->module);
}

static gboolean
encode_code39 (Bars *bars, const guint8 *data, gsize len)
{
  /* A '*' at both ends is the start and stop the printer adds anyway. */
  if (len >= 2 && data[0] == '*' && data[len - 1] == '*')
    {
      data++;
      len -= 2;
    }
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (data[i] == '\0' || strchr (code39_chars, data[i]) == NULL)
      return FALSE;

  add_code39_char (bars, CODE39_START_STOP);
  for (gsize i = 0; i < len; i++)
    add_code39_char (bars, code39_elements[strchr (code39_chars, data[i]) - code39_chars]);
  add_code39_char (bars, CODE39_START_STOP);
  /* No gap after the stop character. */
  g_byte_array_set_size (bars->columns, bars->columns->len - bars->module);
  g_string_append_len (bars->text, (const char *) data, (gssize) len);
  return TRUE;
}

/* A Code 128 data byte in code set @set: its symbol value, or -1. Set C takes
 * one byte 0-99 per pair of digits (Epson's GS k), not two ASCII digits. */
static int
code128_data_value (char set, guint8 c, GString *text)
{
  switch (set)
    {
    case 'A':
      if (c > 0x5f)
        return -1;
      g_string_append_c (text, (char) c);
      return c < 0x20 ? c + 64 : c - 32;
    case 'B':
      if (c < 0x20 || c > 0x7f)
        return -1;
      g_string_append_c (text, (char) c);
      return c - 32;
    default:
      if (c > 99)
        return -1;
      g_string_append_printf (text, "%02u", c);
      return c;
    }
}

/* A "{x" selector in code set @set: its symbol value, -1 when it has none (a
 * switch to the set already in use), or -2 when the printer would reject it.
 * "{{" (a '{' in set B) is data, not a selector. */
static int
code128_selector_value (char *set, gboolean *shift, guint8 selector)
{
  static const int switch_to[] = { 101, 100, 99 }; /* CODE A, CODE B, CODE C */
  gboolean         set_c = *set == 'C';

  switch (selector)
    {
    case 'A':
    case 'B':
    case 'C':
      if (*set == (char) selector)
        return -1;
      *set = (char) selector;
      return switch_to[selector - 'A'];
    case 'S':
      if (set_c)
        return -2;
      *shift = TRUE;
      return CODE128_SHIFT;
    case '1':
      return CODE128_FNC1;
    case '2':
      return set_c ? -2 : CODE128_FNC2;
    case '3':
      return set_c ? -2 : CODE128_FNC3;
    case '4':
      /* FNC4 has the value of the other set's switch. */
      return set_c ? -2 : (*set == 'A' ? 101 : 100);
    default:
      return -2;
    }
}

/* Code 128 as GS k m=73 sends it: "{A", "{B" or "{C" first, selectors and
 * "{{" after; the printer adds the check symbol. */
static gboolean
encode_code128 (Bars *bars, const guint8 *data, gsize len)
{
  g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (int));
  char     set;
  gboolean shift = FALSE;
  guint    n_data = 0;
  int      value;
  guint    check;

  if (len < 2 || data[0] != '{' || data[1] < 'A' || data[1] > 'C')
    return FALSE;
  set = (char) data[1];
  value = TILL_BARCODE_CODE128_START_A + (set - 'A');
  g_array_append_val (values, value);
  for (gsize i = 2; i < len; i++)
    {
      if (data[i] == '{' && (i + 1 >= len || data[i + 1] != '{'))
        {
          if (i + 1 >= len || (value = code128_selector_value (&set, &shift, data[++i])) == -2)
            return FALSE;
          if (value >= 0)
            g_array_append_val (values, value);
          continue;
        }
      if (data[i] == '{')
        i++; /* "{{": one '{' */
      if (shift)
        value = code128_data_value (set == 'A' ? 'B' : 'A', data[i], bars->text);
      else
        value = code128_data_value (set, data[i], bars->text);
      if (value < 0)
        return FALSE;
      shift = FALSE;
      n_data++;
      g_array_append_val (values, value);
    }
  if (n_data == 0 || shift)
    return FALSE;

  check = (guint) g_array_index (values, int, 0);
  for (guint i = 1; i < values->len; i++)
    check += i * (guint) g_array_index (values, int, i);
  value = (int) (check % 103);
  g_array_append_val (values, value);
  for (guint i = 0; i < values->len; i++)
    bars_add_widths (bars, till_barcode_code128_widths (g_array_index (values, int, i)));
  bars_add_widths (bars, till_barcode_code128_widths (TILL_BARCODE_CODE128_STOP));
  return TRUE;
}

/* The bars for GS k m (function A 0-6 or B 65-73). FALSE when the data is not
 * what the symbology takes, or for a symbology the simulator does not draw
 * (UPC-E, ITF, CODABAR, CODE93). */
static gboolean
encode_barcode (Bars *bars, guint m, const guint8 *data, gsize len)
{
  switch (m)
    {
    case 0:
    case 65:
      return encode_upc_a (bars, data, len);
    case 2:
    case 67:
      return encode_ean13 (bars, data, len);
    case 3:
    case 68:
      return encode_ean8 (bars, data, len);
    case 4:
    case 69:
      return encode_code39 (bars, data, len);
    case 73:
      return encode_code128 (bars, data, len);
    default:
      return FALSE;
    }
}

static guint
hri_height (guint hri_position)
{
  return (hri_position & 1 ? CELL_HEIGHT + HRI_GAP : 0) +
         (hri_position & 2 ? CELL_HEIGHT + HRI_GAP : 0);
}

/* The HRI text as printed: the characters the font has, a space otherwise. */
static char *
hri_text (const GString *text)
{
  char *hri = g_strndup (text->str, text->len);

  for (char *p = hri; *p != '\0'; p++)
    if (*p < 0x20 || *p > 0x7e)
      *p = ' ';
  return hri;
}

static void
add_hri_line (TillPrinterSim *self, const char *hri)
{
  g_ptr_array_add (self->lines, g_strdup (hri));
  g_ptr_array_add (self->current->lines, g_strdup (hri));
}

/* GS k: the bars at the module width (GS w) and height (GS h), aligned per
 * ESC a, with HRI per GS H. Data the symbology does not take, and bars wider
 * than the paper, print nothing, as on a real printer. */
static void
print_barcode (TillPrinterSim *self, guint m, const guint8 *data, gsize len)
{
  g_auto (Bars) bars = { 0 };
  g_autofree char *hri = NULL;
  Item            *item;

  bars.columns = g_byte_array_new ();
  bars.text = g_string_new (NULL);
  bars.module = self->bar_module;
  if (!encode_barcode (&bars, m, data, len) || bars.columns->len > self->width)
    {
      self->n_garbage++;
      return;
    }
  flush_line (self);
  hri = hri_text (bars.text);
  if (self->hri_position & 1)
    add_hri_line (self, hri);
  item = add_item (self, ITEM_BARCODE, self->bar_height + hri_height (self->hri_position));
  item->bar_height = self->bar_height;
  item->hri_position = self->hri_position;
  item->hri_cell = self->hri_font_b ? FONT_B_WIDTH : ANK_WIDTH;
  item->bars = g_byte_array_free_to_bytes (g_steal_pointer (&bars.columns));
  if (self->hri_position & 2)
    add_hri_line (self, hri);
  item->hri = g_steal_pointer (&hri);
  g_ptr_array_add (self->barcodes, g_string_free (g_steal_pointer (&bars.text), FALSE));
}

/* GS h, GS w, GS H, GS f: values out of range are ignored. */
static void
set_barcode_mode (TillPrinterSim *self, guint8 command, guint8 n)
{
  switch (command)
    {
    case 'h':
      if (n >= 1)
        self->bar_height = n;
      else
        self->n_garbage++;
      break;
    case 'w':
      /* Epson takes 2-6; some clones take 1 as well. */
      if (n >= 1 && n <= 6)
        self->bar_module = n;
      else
        self->n_garbage++;
      break;
    case 'H':
      if (n <= 3 || (n >= 48 && n <= 51))
        self->hri_position = n % 48;
      else
        self->n_garbage++;
      break;
    case 'f':
      if (n <= 1 || n == 48 || n == 49)
        self->hri_font_b = n % 48 == 1;
      else
        self->n_garbage++;
      break;
    default:
      g_assert_not_reached ();
    }
}

static gsize
parse_esc (TillPrinterSim *self, const guint8 *p, gsize avail)
{
  guint8 n;

  if (avail < 2)
    return NEED_MORE;
  switch (p[1])
    {
    case '@':
      flush_line (self);
      reset_modes (self);
      return 2;
    case '2':
      self->line_spacing = LINE_SPACING;
      return 2;
    case 'a':
    case 'E':
    case '!':
    case 'd':
    case '-':
    case '3':
    case 'J':
    case 'M':
    case 't':
    case 'G':
    case 'V':
    case '{':
    case ' ':
    case '=':
    case 'R':
    case 'U':
    case 'r':
      if (avail < 3)
        return NEED_MORE;
      n = p[2];
      switch (p[1])
        {
        case 'a':
          if (n <= 2 || (n >= 48 && n <= 50))
            self->align = n % 48;
          else
            self->n_garbage++;
          break;
        case 'E':
          self->bold = n & 1;
          break;
        case '!':
          self->ank_wmul = n & 0x20 ? 2 : 1;
          self->ank_hmul = n & 0x10 ? 2 : 1;
          self->bold = (n & 0x08) != 0;
          self->underline = (n & 0x80) != 0;
          break;
        case 'd':
          flush_line (self);
          feed_dots (self, n * self->line_spacing);
          break;
        case '-':
          self->underline = (n & 0x03) != 0 && n != 48;
          break;
        case '3':
          self->line_spacing = MAX (n * 203 / 180, CELL_HEIGHT);
          break;
        case 'J':
          flush_line (self);
          feed_dots (self, n * 203 / 180);
          break;
        default:
          break; /* font, code page, rotation…: no effect on the simulation */
        }
      return 3;
    case 'p':
      if (avail < 5)
        return NEED_MORE;
      self->n_drawer_kicks++;
      return 5;
    case '*':
      {
        gsize columns;
        gsize bytes;

        if (avail < 5)
          return NEED_MORE;
        columns = p[3] | (p[4] << 8);
        bytes = (p[2] == 32 || p[2] == 33) ? columns * 3 : columns;
        if (avail < 5 + bytes)
          return NEED_MORE;
        self->n_rasters++;
        return 5 + bytes;
      }
    default:
      self->n_garbage++;
      return 1;
    }
}

static gsize
parse_fs (TillPrinterSim *self, const guint8 *p, gsize avail)
{
  if (avail < 2)
    return NEED_MORE;
  switch (p[1])
    {
    case '&':
      self->chinese = TRUE;
      return 2;
    case '.':
      self->chinese = FALSE;
      return 2;
    case '!':
    case 'C':
    case '-':
    case 'W':
      if (avail < 3)
        return NEED_MORE;
      if (p[1] == '!')
        {
          self->kanji_wmul = p[2] & 0x04 ? 2 : 1;
          self->kanji_hmul = p[2] & 0x08 ? 2 : 1;
        }
      else if (p[1] == 'W')
        self->kanji_wmul = self->kanji_hmul = p[2] & 1 ? 2 : 1;
      return 3;
    case 'S':
    case 'p':
      return avail < 4 ? NEED_MORE : 4;
    default:
      self->n_garbage++;
      return 1;
    }
}

static gsize
parse_gs (TillPrinterSim *self, const guint8 *p, gsize avail)
{
  if (avail < 2)
    return NEED_MORE;
  switch (p[1])
    {
    case '!':
      if (avail < 3)
        return NEED_MORE;
      self->ank_wmul = self->kanji_wmul = MIN (((p[2] >> 4) & 7) + 1, 8);
      self->ank_hmul = self->kanji_hmul = MIN ((p[2] & 7) + 1, 8);
      return 3;
    case '(':
      {
        gsize len;

        if (avail < 5)
          return NEED_MORE;
        len = p[3] | (p[4] << 8);
        if (avail < 5 + len)
          return NEED_MORE;
        if (p[2] == 'k')
          handle_qr (self, p + 5, len);
        return 5 + len;
      }
    case 'v':
      {
        guint m, width_bytes, rows;
        gsize size;
        Item *item;

        if (avail < 8)
          return NEED_MORE;
        if (p[2] != '0')
          {
            self->n_garbage++;
            return 1;
          }
        m = p[3];
        width_bytes = p[4] | (p[5] << 8);
        rows = p[6] | (p[7] << 8);
        size = (gsize) width_bytes * rows;
        if (avail < 8 + size)
          return NEED_MORE;
        flush_line (self);
        item = add_item (self, ITEM_RASTER, 0);
        item->xscale = (m & 1) ? 2 : 1;
        item->yscale = (m & 2) ? 2 : 1;
        item->width_bytes = width_bytes;
        item->rows = rows;
        item->height = rows * item->yscale;
        item->raster = g_bytes_new (p + 8, size);
        self->n_rasters++;
        return 8 + size;
      }
    case 'V':
      {
        gsize used;

        if (avail < 3)
          return NEED_MORE;
        switch (p[2])
          {
          case 0:
          case 1:
          case 48:
          case 49:
            used = 3;
            break;
          case 65:
          case 66:
          case 97:
          case 98:
          case 103:
          case 104:
            if (avail < 4)
              return NEED_MORE;
            used = 4;
            break;
          default:
            self->n_garbage++;
            return 1;
          }
        flush_line (self);
        self->n_cuts++;
        finish_receipt (self);
        return used;
      }
    case 'r':
      if (avail < 3)
        return NEED_MORE;
      g_byte_array_append (self->replies, (const guint8 *) "\0", 1); /* paper OK */
      return 3;
    case 'h':
    case 'w':
    case 'H':
    case 'f':
      if (avail < 3)
        return NEED_MORE;
      set_barcode_mode (self, p[1], p[2]);
      return 3;
    case 'a':
    case 'B':
    case 'b':
    case 'I':
      return avail < 3 ? NEED_MORE : 3;
    case 'L':
    case 'W':
    case 'P':
    case '$':
    case '\\':
      return avail < 4 ? NEED_MORE : 4;
    case 'k':
      {
        gsize i;

        if (avail < 3)
          return NEED_MORE;
        if (p[2] <= 6)
          {
            /* Function A: the data ends at a NUL. */
            for (i = 3; i < avail && p[i] != 0; i++)
              ;
            if (i == avail)
              return NEED_MORE;
            print_barcode (self, p[2], p + 3, i - 3);
            return i + 1;
          }
        /* Function B: n bytes of data. */
        if (avail < 4 || avail < 4 + (gsize) p[3])
          return NEED_MORE;
        print_barcode (self, p[2], p + 4, p[3]);
        return 4 + (gsize) p[3];
      }
    default:
      self->n_garbage++;
      return 1;
    }
}

static gsize
parse_dle (TillPrinterSim *self, const guint8 *p, gsize avail)
{
  if (avail < 2)
    return NEED_MORE;
  switch (p[1])
    {
    case 0x04: /* DLE EOT n: real-time status */
      if (avail < 3)
        return NEED_MORE;
      if (p[2] >= 1 && p[2] <= 4)
        g_byte_array_append (self->replies, &self->status[p[2]], 1);
      else
        self->n_garbage++;
      return 3;
    case 0x05: /* DLE ENQ n */
      return avail < 3 ? NEED_MORE : 3;
    case 0x14: /* DLE DC4 fn m t */
      if (avail < 5)
        return NEED_MORE;
      if (p[2] == 1)
        self->n_drawer_kicks++;
      return 5;
    default:
      self->n_garbage++;
      return 1;
    }
}

/* One command or character at @p. Returns bytes consumed or NEED_MORE. */
static gsize
parse_one (TillPrinterSim *self, const guint8 *p, gsize avail)
{
  switch (p[0])
    {
    case ESC:
      return parse_esc (self, p, avail);
    case FS:
      return parse_fs (self, p, avail);
    case GS:
      return parse_gs (self, p, avail);
    case DLE:
      return parse_dle (self, p, avail);
    case '\n':
      if (self->line->len > 0)
        print_line (self);
      else
        feed_dots (self, self->line_spacing);
      return 1;
    case '\r':
      return 1;
    case '\t':
      {
        /* Tab stops every 8 ASCII columns. */
        guint col = self->line_dots / ANK_WIDTH;

        do
          add_glyph (self, ' ', FALSE);
        while (++col % 8 != 0 && self->line_dots + ANK_WIDTH <= self->width);
        return 1;
      }
    default:
      if (p[0] < 0x20 || p[0] == 0x7f)
        {
          self->n_garbage++;
          return 1;
        }
      return parse_text (self, p, avail);
    }
}

/* Rendering */

static void
draw_glyph (cairo_t *cr, PangoLayout *layout, const Glyph *glyph, double x, double y_bottom)
{
  char                  utf8[8] = { 0 };
  PangoFontDescription *desc;
  PangoRectangle        logical;
  double                baseline;
  double                cell_w = glyph->cell;
  double                ink_scale = 1.0;

  g_unichar_to_utf8 (glyph->ch, utf8);
  desc = pango_font_description_from_string (FONT_FAMILY);
  pango_font_description_set_absolute_size (desc, FONT_PX * PANGO_SCALE);
  pango_font_description_set_weight (desc, glyph->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, utf8, -1);
  pango_layout_get_extents (layout, NULL, &logical);
  baseline = (double) pango_layout_get_baseline (layout) / PANGO_SCALE;

  cairo_save (cr);
  cairo_translate (cr, x, y_bottom - CELL_HEIGHT * glyph->hmul);
  cairo_scale (cr, glyph->wmul, glyph->hmul);
  /* Squeeze a glyph wider than its cell, as a printer font has fixed cells. */
  if (logical.width / (double) PANGO_SCALE > cell_w)
    ink_scale = cell_w / (logical.width / (double) PANGO_SCALE);
  cairo_translate (cr, (cell_w - ink_scale * logical.width / PANGO_SCALE) / 2.0, 0);
  cairo_scale (cr, ink_scale, 1.0);
  cairo_move_to (cr, 0, 20.0 - baseline);
  pango_cairo_show_layout (cr, layout);
  if (glyph->underline)
    {
      cairo_rectangle (cr, 0, CELL_HEIGHT - 2, logical.width / (double) PANGO_SCALE, 1.5);
      cairo_fill (cr);
    }
  cairo_restore (cr);
}

static double
align_x (int align, double content_width, double paper_width)
{
  if (align == 1)
    return MAX (0, (paper_width - content_width) / 2.0);
  if (align == 2)
    return MAX (0, paper_width - content_width);
  return 0;
}

/* HRI text centred on the bars, in ANK cells of @item->hri_cell dots. */
static void
draw_hri (cairo_t     *cr,
          PangoLayout *layout,
          const Item  *item,
          double       bars_x,
          double       bars_width,
          double       bottom)
{
  gsize  len = strlen (item->hri);
  double x = MAX (0, bars_x + (bars_width - (double) len * item->hri_cell) / 2.0);

  for (gsize i = 0; i < len; i++, x += item->hri_cell)
    {
      Glyph glyph = {
        .ch = (guchar) item->hri[i], .cell = (guint8) item->hri_cell, .wmul = 1, .hmul = 1
      };

      if (glyph.ch != ' ')
        draw_glyph (cr, layout, &glyph, x, bottom);
    }
}

static void
draw_barcode (TillPrinterSim *self, cairo_t *cr, PangoLayout *layout, const Item *item, double y)
{
  gsize         n;
  const guint8 *columns = g_bytes_get_data (item->bars, &n);
  double        x0 = align_x (item->align, (double) n, self->width);
  double        bars_y = y;

  if (item->hri_position & 1)
    {
      draw_hri (cr, layout, item, x0, (double) n, y + CELL_HEIGHT);
      bars_y += CELL_HEIGHT + HRI_GAP;
    }
  /* One rectangle per bar, so that a bar has no seams between its dots. */
  for (gsize x = 0; x < n;)
    {
      gsize end = x;

      while (end < n && columns[end])
        end++;
      if (end > x)
        cairo_rectangle (cr, x0 + (double) x, bars_y, (double) (end - x), item->bar_height);
      x = MAX (end, x + 1);
    }
  cairo_fill (cr);
  if (item->hri_position & 2)
    draw_hri (cr, layout, item, x0, (double) n, bars_y + item->bar_height + HRI_GAP + CELL_HEIGHT);
}

static void
draw_item (TillPrinterSim *self, cairo_t *cr, PangoLayout *layout, const Item *item, double y)
{
  switch (item->kind)
    {
    case ITEM_TEXT:
      {
        double width = 0;
        double x;
        double bottom = y + item->height - (self->line_spacing - CELL_HEIGHT);

        for (guint i = 0; i < item->glyphs->len; i++)
          {
            const Glyph *glyph = &g_array_index (item->glyphs, Glyph, i);

            width += glyph->cell * glyph->wmul;
          }
        x = align_x (item->align, width, self->width);
        for (guint i = 0; i < item->glyphs->len; i++)
          {
            const Glyph *glyph = &g_array_index (item->glyphs, Glyph, i);

            if (glyph->ch != ' ')
              draw_glyph (cr, layout, glyph, x, bottom);
            x += glyph->cell * glyph->wmul;
          }
        break;
      }
    case ITEM_FEED:
      break;
    case ITEM_RASTER:
      {
        gsize         len;
        const guint8 *bits = g_bytes_get_data (item->raster, &len);
        double x0 = align_x (item->align, item->width_bytes * 8.0 * item->xscale, self->width);

        for (guint row = 0; row < item->rows; row++)
          for (guint col = 0; col < item->width_bytes * 8; col++)
            if (bits[(gsize) row * item->width_bytes + col / 8] & (0x80 >> (col % 8)))
              cairo_rectangle (cr, x0 + col * item->xscale, y + row * item->yscale, item->xscale,
                               item->yscale);
        cairo_fill (cr);
        break;
      }
    case ITEM_QR:
      {
        QRcode *code =
            QRcode_encodeString (item->qr_payload, 0, (QRecLevel) item->qr_level, QR_MODE_8, 1);
        double x0;

        if (code == NULL)
          break;
        x0 = align_x (item->align, (double) code->width * item->qr_module, self->width);
        for (int row = 0; row < code->width; row++)
          for (int col = 0; col < code->width; col++)
            if (code->data[row * code->width + col] & 1)
              cairo_rectangle (cr, x0 + col * item->qr_module, y + row * item->qr_module,
                               item->qr_module, item->qr_module);
        cairo_fill (cr);
        QRcode_free (code);
        break;
      }
    case ITEM_BARCODE:
      draw_barcode (self, cr, layout, item, y);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
draw_cut_mark (cairo_t *cr, double width, double y)
{
  const double dashes[] = { 8.0, 6.0 };

  cairo_save (cr);
  cairo_set_source_rgb (cr, 0.55, 0.55, 0.55);
  cairo_set_line_width (cr, 2.0);
  cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
  cairo_move_to (cr, 0, y);
  cairo_line_to (cr, width, y);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
till_printer_sim_finalize (GObject *object)
{
  TillPrinterSim *self = TILL_PRINTER_SIM (object);

  till_printer_sim_stop_serving (self);
  g_clear_pointer (&self->received, g_byte_array_unref);
  g_rec_mutex_clear (&self->lock);
  g_clear_pointer (&self->pending, g_byte_array_unref);
  g_clear_pointer (&self->line, g_array_unref);
  g_clear_pointer (&self->qr_data, g_bytes_unref);
  g_clear_pointer (&self->current, receipt_free);
  g_clear_pointer (&self->receipts, g_ptr_array_unref);
  g_clear_pointer (&self->lines, g_ptr_array_unref);
  g_clear_pointer (&self->qr_payloads, g_ptr_array_unref);
  g_clear_pointer (&self->barcodes, g_ptr_array_unref);
  g_clear_pointer (&self->replies, g_byte_array_unref);
  g_iconv_close (self->from_gb18030);

  G_OBJECT_CLASS (till_printer_sim_parent_class)->finalize (object);
}

static void
till_printer_sim_class_init (TillPrinterSimClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = till_printer_sim_finalize;
}

static void
till_printer_sim_init (TillPrinterSim *self)
{
  self->width = 576;
  g_rec_mutex_init (&self->lock);
  self->stop_pipe[0] = self->stop_pipe[1] = -1;
  self->master_fd = self->keep_fd = self->listen_fd = self->client_fd = -1;
  self->received = g_byte_array_new ();
  self->pending = g_byte_array_new ();
  self->from_gb18030 = g_iconv_open ("UTF-8", "GB18030");
  if (self->from_gb18030 == (GIConv) -1)
    g_error ("iconv cannot convert GB18030 to UTF-8");
  self->line = g_array_new (FALSE, FALSE, sizeof (Glyph));
  self->current = receipt_new ();
  self->receipts = g_ptr_array_new_with_free_func (receipt_free);
  self->lines = g_ptr_array_new_with_free_func (g_free);
  self->qr_payloads = g_ptr_array_new_with_free_func (g_free);
  self->barcodes = g_ptr_array_new_with_free_func (g_free);
  self->replies = g_byte_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (self->status); i++)
    self->status[i] = TILL_PRINTER_SIM_STATUS_OK;
  reset_modes (self);
}

TillPrinterSim *
till_printer_sim_new (guint width_dots)
{
  TillPrinterSim *self;

  g_return_val_if_fail (width_dots >= 96 && width_dots % 8 == 0, NULL);

  self = g_object_new (TILL_TYPE_PRINTER_SIM, NULL);
  self->width = width_dots;
  return self;
}

guint
till_printer_sim_get_width (TillPrinterSim *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), 0);

  return self->width;
}

/**
 * till_printer_sim_feed:
 * Parses @data byte for byte. Whatever is not understood is counted and
 * skipped; a command that is not complete yet waits for the next call.
 */
void
till_printer_sim_feed (TillPrinterSim *self, const guint8 *data, gsize len)
{
  gsize pos = 0;

  g_return_if_fail (TILL_IS_PRINTER_SIM (self));
  g_return_if_fail (data != NULL || len == 0);

  g_rec_mutex_lock (&self->lock);
  g_byte_array_append (self->pending, data, (guint) len);
  while (pos < self->pending->len)
    {
      gsize used = parse_one (self, self->pending->data + pos, self->pending->len - pos);

      if (used == NEED_MORE)
        break;
      g_assert (pos + used <= self->pending->len);
      pos += used;
    }
  g_byte_array_remove_range (self->pending, 0, (guint) pos);
  g_rec_mutex_unlock (&self->lock);
}

void
till_printer_sim_end_of_stream (TillPrinterSim *self)
{
  g_return_if_fail (TILL_IS_PRINTER_SIM (self));

  g_rec_mutex_lock (&self->lock);
  if (self->pending->len > 0)
    {
      self->n_truncated++;
      g_byte_array_set_size (self->pending, 0);
    }
  flush_line (self);
  g_rec_mutex_unlock (&self->lock);
}

const GPtrArray *
till_printer_sim_get_lines (TillPrinterSim *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), NULL);
  return self->lines;
}

const GPtrArray *
till_printer_sim_get_qr_payloads (TillPrinterSim *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), NULL);
  return self->qr_payloads;
}

const GPtrArray *
till_printer_sim_get_barcodes (TillPrinterSim *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), NULL);
  return self->barcodes;
}

guint
till_printer_sim_get_n_cuts (TillPrinterSim *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), 0);
  return self->n_cuts;
}

guint
till_printer_sim_get_n_drawer_kicks (TillPrinterSim *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), 0);
  return self->n_drawer_kicks;
}

guint
till_printer_sim_get_n_raster_images (TillPrinterSim *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), 0);
  return self->n_rasters;
}

guint
till_printer_sim_get_n_garbage_bytes (TillPrinterSim *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), 0);
  return self->n_garbage;
}

guint
till_printer_sim_get_n_truncated (TillPrinterSim *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), 0);
  return self->n_truncated;
}

guint
till_printer_sim_get_n_unsupported_chars (TillPrinterSim *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), 0);
  return self->n_unsupported;
}

guint
till_printer_sim_get_n_overflows (TillPrinterSim *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), 0);
  return self->n_overflows;
}

gboolean
till_printer_sim_get_chinese_mode (TillPrinterSim *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), FALSE);
  return self->chinese;
}

GBytes *
till_printer_sim_take_replies (TillPrinterSim *self)
{
  GByteArray *replies;

  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), NULL);

  g_rec_mutex_lock (&self->lock);
  replies = g_steal_pointer (&self->replies);
  self->replies = g_byte_array_new ();
  g_rec_mutex_unlock (&self->lock);
  return g_byte_array_free_to_bytes (replies);
}

void
till_printer_sim_set_status (TillPrinterSim *self, guint n, guint8 status)
{
  g_return_if_fail (TILL_IS_PRINTER_SIM (self));
  g_return_if_fail (n >= 1 && n <= 4);

  g_rec_mutex_lock (&self->lock);
  self->status[n] = status;
  g_rec_mutex_unlock (&self->lock);
}

guint
till_printer_sim_get_n_receipts (TillPrinterSim *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), 0);
  return self->receipts->len;
}

const GPtrArray *
till_printer_sim_get_receipt_lines (TillPrinterSim *self, guint index)
{
  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), NULL);
  g_return_val_if_fail (index < self->receipts->len, NULL);

  return ((Receipt *) g_ptr_array_index (self->receipts, index))->lines;
}

/**
 * till_printer_sim_render_png:
 * Draws finished receipt @index as the paper would look: the printer's width in
 * pixels, one pixel per dot, black on white, with a dashed line at the cut.
 */
gboolean
till_printer_sim_render_png (TillPrinterSim *self, guint index, const char *path, GError **error)
{
  const Receipt   *receipt;
  guint            height = 2 * MARGIN + CUT_MARK;
  cairo_surface_t *surface;
  cairo_t         *cr;
  PangoLayout     *layout;
  cairo_status_t   status;
  double           y = MARGIN;

  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (index >= self->receipts->len)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "The printer has printed %u receipts, there is no receipt %u",
                   self->receipts->len, index);
      return FALSE;
    }
  receipt = g_ptr_array_index (self->receipts, index);
  for (guint i = 0; i < receipt->items->len; i++)
    height += ((Item *) g_ptr_array_index (receipt->items, i))->height;
  /* Cairo images stop at 32767 pixels; a longer receipt is cut short. */
  height = MIN (height, 32000);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) self->width, (int) height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  layout = pango_cairo_create_layout (cr);
  for (guint i = 0; i < receipt->items->len; i++)
    {
      const Item *item = g_ptr_array_index (receipt->items, i);

      draw_item (self, cr, layout, item, y);
      y += item->height;
    }
  draw_cut_mark (cr, self->width, y + MARGIN + CUT_MARK / 2.0);
  g_object_unref (layout);
  cairo_destroy (cr);

  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write %s: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_receipts_locked (TillPrinterSim *self, const char *dir, guint *out_n_written, GError **error)
{
  guint number = 1;
  guint written = 0;

  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_n_written != NULL)
    *out_n_written = 0;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "Cannot create %s: %s",
                   dir, g_strerror (saved_errno));
      return FALSE;
    }
  while (self->n_written < self->receipts->len)
    {
      g_autofree char *path = NULL;

      do
        {
          g_autofree char *name = g_strdup_printf ("receipt-%04u.png", number++);

          g_free (path);
          path = g_build_filename (dir, name, NULL);
        }
      while (g_file_test (path, G_FILE_TEST_EXISTS));
      if (!till_printer_sim_render_png (self, self->n_written, path, error))
        return FALSE;
      self->n_written++;
      written++;
      if (out_n_written != NULL)
        *out_n_written = written;
    }
  return TRUE;
}

gboolean
till_printer_sim_write_receipts (TillPrinterSim *self,
                                 const char     *dir,
                                 guint          *out_n_written,
                                 GError        **error)
{
  gboolean ok;

  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), FALSE);

  g_rec_mutex_lock (&self->lock);
  ok = write_receipts_locked (self, dir, out_n_written, error);
  g_rec_mutex_unlock (&self->lock);
  return ok;
}

/* Serving the printer over a byte pipe: a pty (a serial printer) or a TCP
 * listener on loopback (a port-9100 network printer). */

static const guint8 state_status[][5] = {
  /* n:                            1     2     3     4 */
  [TILL_PRINTER_SIM_ONLINE] = { 0, 0x12, 0x12, 0x12, 0x12 },
  [TILL_PRINTER_SIM_PAPER_NEAR_END] = { 0, 0x12, 0x12, 0x12, 0x1e },
  /* The example out-of-paper answer of DEVICES.md §1.7: 1A 32 7E. */
  [TILL_PRINTER_SIM_PAPER_OUT] = { 0, 0x1a, 0x32, 0x12, 0x7e },
  [TILL_PRINTER_SIM_COVER_OPEN] = { 0, 0x1a, 0x16, 0x12, 0x12 },
  [TILL_PRINTER_SIM_OFFLINE] = { 0, 0x1a, 0x12, 0x12, 0x12 },
};

static const char *const state_names[] = {
  [TILL_PRINTER_SIM_ONLINE] = "online",       [TILL_PRINTER_SIM_PAPER_NEAR_END] = "paper-near-end",
  [TILL_PRINTER_SIM_PAPER_OUT] = "paper-out", [TILL_PRINTER_SIM_COVER_OPEN] = "cover-open",
  [TILL_PRINTER_SIM_OFFLINE] = "offline",
};

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* Drops the connection the way a pulled cable or a power cut does: the pty
 * master goes away (the device end then fails with EIO), a TCP connection is
 * reset (RST, not an orderly close). Called with the lock held. */
static void
unplug_locked (TillPrinterSim *self)
{
  if (self->client_fd >= 0)
    {
      struct linger abort_on_close = { .l_onoff = 1, .l_linger = 0 };

      setsockopt (self->client_fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
      close_fd (&self->client_fd);
    }
  if (self->master_fd >= 0)
    {
      close_fd (&self->master_fd);
      close_fd (&self->keep_fd);
    }
  self->unplugged = TRUE;
  self->unplug_now = FALSE;
  self->unplug_after = 0;
}

static void
write_all_fd (int fd, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      gssize n = send (fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno == ENOTSOCK)
        n = write (fd, data, len);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        {
          struct pollfd pfd = { .fd = fd, .events = POLLOUT };

          poll (&pfd, 1, 100);
          continue;
        }
      if (n <= 0)
        return; /* the other end went away: nobody to answer */
      data += n;
      len -= (gsize) n;
    }
}

/* Bytes from the pipe: parse them and answer what the printer answers. */
static void
serve_bytes (TillPrinterSim *self, int fd, const guint8 *data, gsize len)
{
  g_autoptr (GBytes) replies = NULL;
  gboolean unplug = FALSE;

  g_rec_mutex_lock (&self->lock);
  if (self->unplug_after > 0 && self->received->len + len >= self->unplug_after)
    {
      len = self->unplug_after - self->received->len;
      unplug = TRUE;
    }
  g_byte_array_append (self->received, data, (guint) len);
  till_printer_sim_feed (self, data, len);
  replies = till_printer_sim_take_replies (self);
  if (unplug)
    unplug_locked (self);
  else if (!self->silent && g_bytes_get_size (replies) > 0)
    write_all_fd (fd, g_bytes_get_data (replies, NULL), g_bytes_get_size (replies));
  g_rec_mutex_unlock (&self->lock);
}

static gpointer
server_thread (gpointer data)
{
  TillPrinterSim *self = data;
  guint8          buffer[4096];

  for (;;)
    {
      struct pollfd pfds[2] = { { .fd = self->stop_pipe[0], .events = POLLIN } };
      int           fd;
      gboolean      listening;
      gssize        n;

      g_rec_mutex_lock (&self->lock);
      if (self->unplug_now)
        unplug_locked (self);
      fd = self->master_fd >= 0 ? self->master_fd : self->client_fd;
      listening = fd < 0 && self->listen_fd >= 0;
      if (listening)
        fd = self->listen_fd;
      g_rec_mutex_unlock (&self->lock);

      pfds[1].fd = fd; /* -1 (unplugged pty): poll ignores it */
      pfds[1].events = POLLIN;
      if (poll (pfds, 2, 20) < 0 && errno != EINTR)
        break;
      if (pfds[0].revents & POLLIN)
        break;
      if (fd < 0 || pfds[1].revents == 0)
        continue;
      if (listening)
        {
          int client = accept (fd, NULL, NULL);

          g_rec_mutex_lock (&self->lock);
          if (client >= 0)
            {
              fcntl (client, F_SETFD, FD_CLOEXEC);
              self->client_fd = client;
              self->n_connections++;
            }
          g_rec_mutex_unlock (&self->lock);
          continue;
        }
      n = read (fd, buffer, sizeof buffer);
      if (n > 0)
        serve_bytes (self, fd, buffer, (gsize) n);
      else if (n == 0 || (errno != EINTR && errno != EAGAIN))
        {
          g_rec_mutex_lock (&self->lock);
          if (fd == self->client_fd)
            {
              /* The end of a TCP job: the next one comes on a new connection. */
              till_printer_sim_end_of_stream (self);
              close_fd (&self->client_fd);
            }
          else
            g_usleep (10 * G_TIME_SPAN_MILLISECOND); /* a pty with nobody on it */
          g_rec_mutex_unlock (&self->lock);
        }
    }
  return NULL;
}

static gboolean
start_thread (TillPrinterSim *self, GError **error)
{
  if (!g_unix_open_pipe (self->stop_pipe, FD_CLOEXEC, error))
    return FALSE;
  self->unplugged = FALSE;
  self->server_thread = g_thread_new ("printer-sim", server_thread, self);
  return TRUE;
}

/**
 * till_printer_sim_serve_pty:
 * Serves the printer on a new raw pseudo-terminal from a thread, like a printer
 * on a serial cable. Returns the device path (/dev/pts/N) to open as
 * serial:///dev/pts/N, or NULL with @error set.
 */
char *
till_printer_sim_serve_pty (TillPrinterSim *self, GError **error)
{
  g_autofree char *path = NULL;
  int              master;

  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), NULL);
  g_return_val_if_fail (self->server_thread == NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!till_pty_open (&master, &path, error))
    return NULL;
  /* Holding the device end open ourselves keeps the master from hanging up
   * while no driver has it open (between jobs, before the first). */
  self->keep_fd = open (path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (self->keep_fd < 0)
    {
      int saved_errno = errno;

      close (master);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "Cannot open %s: %s",
                   path, g_strerror (saved_errno));
      return NULL;
    }
  self->master_fd = master;
  if (!start_thread (self, error))
    {
      close_fd (&self->master_fd);
      close_fd (&self->keep_fd);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/**
 * till_printer_sim_serve_tcp:
 * Serves the printer on 127.0.0.1:@port (0: any free port) from a thread, like
 * a network printer: one job per connection. Returns the port, or 0 with
 * @error set.
 */
guint16
till_printer_sim_serve_tcp (TillPrinterSim *self, guint16 port, GError **error)
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t          address_len = sizeof address;
  int                fd;
  int                reuse = 1;

  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), 0);
  g_return_val_if_fail (self->server_thread == NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  address.sin_port = htons (port);
  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse) != 0 ||
      bind (fd, (struct sockaddr *) &address, sizeof address) != 0 || listen (fd, 4) != 0 ||
      getsockname (fd, (struct sockaddr *) &address, &address_len) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot listen on 127.0.0.1:%u: %s", port, g_strerror (saved_errno));
      return 0;
    }
  self->listen_fd = fd;
  if (!start_thread (self, error))
    {
      close_fd (&self->listen_fd);
      return 0;
    }
  return ntohs (address.sin_port);
}

/**
 * till_printer_sim_stop_serving:
 * Stops the server thread and closes the pipe. Reading the printed lines,
 * receipts and QR payloads is safe once this has returned.
 */
void
till_printer_sim_stop_serving (TillPrinterSim *self)
{
  g_return_if_fail (TILL_IS_PRINTER_SIM (self));

  if (self->server_thread == NULL)
    return;
  write_all_fd (self->stop_pipe[1], (const guint8 *) "x", 1);
  g_thread_join (g_steal_pointer (&self->server_thread));
  close_fd (&self->stop_pipe[0]);
  close_fd (&self->stop_pipe[1]);
  g_rec_mutex_lock (&self->lock);
  close_fd (&self->client_fd);
  close_fd (&self->listen_fd);
  close_fd (&self->master_fd);
  close_fd (&self->keep_fd);
  g_rec_mutex_unlock (&self->lock);
}

void
till_printer_sim_set_state (TillPrinterSim *self, TillPrinterSimState state)
{
  g_return_if_fail (TILL_IS_PRINTER_SIM (self));
  g_return_if_fail (state <= TILL_PRINTER_SIM_OFFLINE);

  g_rec_mutex_lock (&self->lock);
  for (guint n = 1; n <= 4; n++)
    self->status[n] = state_status[state][n];
  g_rec_mutex_unlock (&self->lock);
}

gboolean
till_printer_sim_state_from_string (const char *name, TillPrinterSimState *out_state)
{
  g_return_val_if_fail (name != NULL && out_state != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_str_equal (name, state_names[i]))
      {
        *out_state = (TillPrinterSimState) i;
        return TRUE;
      }
  return FALSE;
}

void
till_printer_sim_set_silent (TillPrinterSim *self, gboolean silent)
{
  g_return_if_fail (TILL_IS_PRINTER_SIM (self));

  g_rec_mutex_lock (&self->lock);
  self->silent = silent;
  g_rec_mutex_unlock (&self->lock);
}

/**
 * till_printer_sim_unplug:
 * Pulls the cable now: the server thread closes the pty master or resets the
 * TCP connection (it owns the descriptors it polls), and this returns once it
 * has.
 */
void
till_printer_sim_unplug (TillPrinterSim *self)
{
  g_return_if_fail (TILL_IS_PRINTER_SIM (self));

  g_rec_mutex_lock (&self->lock);
  if (self->server_thread == NULL)
    unplug_locked (self);
  else
    self->unplug_now = TRUE;
  g_rec_mutex_unlock (&self->lock);
  while (!till_printer_sim_get_unplugged (self))
    g_usleep (G_TIME_SPAN_MILLISECOND);
}

void
till_printer_sim_unplug_after (TillPrinterSim *self, gsize n_bytes)
{
  g_return_if_fail (TILL_IS_PRINTER_SIM (self));
  g_return_if_fail (n_bytes > 0);

  g_rec_mutex_lock (&self->lock);
  self->unplug_after = self->received->len + n_bytes;
  g_rec_mutex_unlock (&self->lock);
}

gboolean
till_printer_sim_get_unplugged (TillPrinterSim *self)
{
  gboolean unplugged;

  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), FALSE);

  g_rec_mutex_lock (&self->lock);
  unplugged = self->unplugged;
  g_rec_mutex_unlock (&self->lock);
  return unplugged;
}

guint
till_printer_sim_get_n_connections (TillPrinterSim *self)
{
  guint n;

  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), 0);

  g_rec_mutex_lock (&self->lock);
  n = self->n_connections;
  g_rec_mutex_unlock (&self->lock);
  return n;
}

GBytes *
till_printer_sim_dup_received (TillPrinterSim *self)
{
  GBytes *bytes;

  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), NULL);

  g_rec_mutex_lock (&self->lock);
  bytes = g_bytes_new (self->received->data, self->received->len);
  g_rec_mutex_unlock (&self->lock);
  return bytes;
}

/**
 * till_printer_sim_wait_received:
 * Waits until at least @n_bytes have arrived over the pipe, at most
 * @timeout_ms. Returns whether they did.
 */
gboolean
till_printer_sim_wait_received (TillPrinterSim *self, gsize n_bytes, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;

  g_return_val_if_fail (TILL_IS_PRINTER_SIM (self), FALSE);

  for (;;)
    {
      gsize received;

      g_rec_mutex_lock (&self->lock);
      received = self->received->len;
      g_rec_mutex_unlock (&self->lock);
      if (received >= n_bytes)
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (2 * G_TIME_SPAN_MILLISECOND);
    }
}

/* The sim:// transport */

typedef struct
{
  TillPrinterSim *sim;
  char           *dir;
} SimState;

static gpointer
sim_open (GUri *uri, GError **error)
{
  const char *host = g_uri_get_host (uri);
  const char *query = g_uri_get_query (uri);
  g_autoptr (GHashTable) params = NULL;
  const char *width;
  guint       dots = 576;
  SimState   *state;

  if (g_strcmp0 (host, "printer") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "There is no simulated device “%s”; try sim://printer", host ? host : "");
      return NULL;
    }
  if (query != NULL)
    {
      g_autoptr (GError) parse_error = NULL;

      params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, &parse_error);
      if (params == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Bad parameters: %s",
                       parse_error->message);
          return NULL;
        }
    }
  width = params != NULL ? g_hash_table_lookup (params, "width") : NULL;
  if (g_strcmp0 (width, "58") == 0)
    dots = 384;
  else if (width != NULL && g_strcmp0 (width, "80") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The paper is 58 or 80 mm wide, not “%s”", width);
      return NULL;
    }
  if (params != NULL && g_hash_table_contains (params, "dir") &&
      !g_path_is_absolute (g_hash_table_lookup (params, "dir")))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The receipt directory must be an absolute path, not “%s”",
                   (const char *) g_hash_table_lookup (params, "dir"));
      return NULL;
    }
  state = g_new0 (SimState, 1);
  state->sim = till_printer_sim_new (dots);
  state->dir = params != NULL ? g_strdup (g_hash_table_lookup (params, "dir")) : NULL;
  return state;
}

static gboolean
sim_write_all (gpointer data, const guint8 *bytes, gsize len, GError **error)
{
  SimState *state = data;

  till_printer_sim_feed (state->sim, bytes, len);
  if (state->dir == NULL)
    return TRUE;
  return till_printer_sim_write_receipts (state->sim, state->dir, NULL, error);
}

static gssize
sim_read (gpointer data, guint8 *buffer, gsize len, guint timeout_ms, GError **error)
{
  SimState *state = data;
  g_autoptr (GBytes) replies = till_printer_sim_take_replies (state->sim);
  gsize         n_replies;
  const guint8 *reply = g_bytes_get_data (replies, &n_replies);
  gsize         n = MIN (len, n_replies);

  if (n > 0)
    memcpy (buffer, reply, n);
  /* Keep what did not fit for the next read. */
  if (n < n_replies)
    g_byte_array_prepend (state->sim->replies, reply + n, (guint) (n_replies - n));
  return (gssize) n;
}

static gboolean
sim_close (gpointer data, GError **error)
{
  SimState *state = data;

  till_printer_sim_end_of_stream (state->sim);
  return TRUE;
}

static void
sim_free (gpointer data)
{
  SimState *state = data;

  g_clear_object (&state->sim);
  g_free (state->dir);
  g_free (state);
}

/* sim://printer; till-sim-devices.c chooses the backend by the URI's host. */
const TillTransportBackend _till_printer_sim_backend = {
  .scheme = "sim",
  .open = sim_open,
  .write_all = sim_write_all,
  .read = sim_read,
  .close = sim_close,
  .free = sim_free,
};

/* Kept for its callers: every simulated device comes with the printer. */
void
till_printer_sim_register_transport (void)
{
  till_sim_register_transports ();
}
