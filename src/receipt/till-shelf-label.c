/* till-shelf-label.c: shelf-edge labels (价签) with price and barcode
 *
 * The bars are computed here once, as a row of modules (EAN-13 with its
 * guards and parity, or Code 128 set B with its check symbol), and drawn
 * three ways: as rectangles in the label printer's PDF, as a 1-bit raster for
 * receipt printers that cannot draw barcodes, or not at all when the printer
 * draws them itself from GS k.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-shelf-label"

#include "config.h"

#include "till-barcode-symbols.h"

#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "till-escpos.h"
#include "till-shelf-label.h"

#define GS 0x1d

#define FONT_FAMILY "Noto Sans CJK SC, Sans"

/* Quiet zones in modules: EAN-13 wants 11 left and 7 right, Code 128 ten. */
#define EAN13_QUIET_LEFT 11
#define EAN13_QUIET_RIGHT 7
#define CODE128_QUIET 10

/* On the receipt printer: bar height in dots (10 mm at 203 dpi). */
#define ESCPOS_BAR_HEIGHT 80

/* In the PDF: EAN-13's nominal module is 0.33 mm; modules are whole dots of a
 * 203 dpi label printer (the common kind), so every bar prints the same width. */
#define MM_PER_DOT (25.4 / 203.0)
#define NOMINAL_MODULE_MM 0.33
#define MIN_LABEL_WIDTH_MM 30.0
#define MIN_LABEL_HEIGHT_MM 20.0
#define PT_PER_MM (72.0 / 25.4)

G_DEFINE_QUARK (till - shelf - label - error - quark, till_shelf_label_error)

/* ---- Bars ---- */

typedef enum
{
  SYMBOLOGY_NONE,
  SYMBOLOGY_EAN13,
  SYMBOLOGY_CODE128,
} Symbology;

/* What a label's barcode is: the symbology, the text it encodes and its
 * modules (TRUE: a bar), quiet zones excluded. */
typedef struct
{
  Symbology symbology;
  char     *text;
  GArray   *modules; /* gboolean */
} Bars;

static void
bars_clear (Bars *bars)
{
  g_clear_pointer (&bars->text, g_free);
  g_clear_pointer (&bars->modules, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Bars, bars_clear)

/* Set B and the printers' GS k both stop at 255 bytes; labels need far fewer. */
#define CODE128_MAX_CHARS 48

static void
append_pattern (GArray *modules, const char *pattern)
{
  for (const char *p = pattern; *p != '\0'; p++)
    {
      gboolean bar = *p == '1';

      g_array_append_val (modules, bar);
    }
}

/* Widths alternate bar, space, bar…, starting with a bar. */
static void
append_widths (GArray *modules, const char *widths)
{
  gboolean bar = TRUE;

  for (const char *p = widths; *p != '\0'; p++, bar = !bar)
    for (int i = 0; i < *p - '0'; i++)
      g_array_append_val (modules, bar);
}

static GArray *
ean13_modules (const char *digits)
{
  GArray     *modules = g_array_sized_new (FALSE, FALSE, sizeof (gboolean), 95);
  const char *parity = till_barcode_ean13_parity (digits[0] - '0');

  append_pattern (modules, "101");
  for (int i = 1; i <= 6; i++)
    {
      int digit = digits[i] - '0';

      append_pattern (modules, till_barcode_ean_digit (digit, parity[i - 1]));
    }
  append_pattern (modules, "01010");
  for (int i = 7; i <= 12; i++)
    append_pattern (modules, till_barcode_ean_digit (digits[i] - '0', 'R'));
  append_pattern (modules, "101");
  return modules;
}

static gboolean
is_code128b_text (const char *text)
{
  gsize len = strlen (text);

  if (len == 0 || len > CODE128_MAX_CHARS)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (*p < 0x20 || *p > 0x7e)
      return FALSE;
  return TRUE;
}

static GArray *
code128b_modules (const char *text)
{
  GArray *modules = g_array_new (FALSE, FALSE, sizeof (gboolean));
  guint   check = TILL_BARCODE_CODE128_START_B;
  guint   position = 1;

  append_widths (modules, till_barcode_code128_widths (TILL_BARCODE_CODE128_START_B));
  for (const char *p = text; *p != '\0'; p++, position++)
    {
      guint value = (guint) (*p - 0x20);

      append_widths (modules, till_barcode_code128_widths (value));
      check += value * position;
    }
  append_widths (modules, till_barcode_code128_widths (check % 103));
  append_widths (modules, till_barcode_code128_widths (TILL_BARCODE_CODE128_STOP));
  return modules;
}

/* The label's barcode: its EAN-13 (a UPC-A gets the 0 that makes it one), or
 * else Code 128 of the barcode or, without one, of the SKU. Nothing when
 * neither is printable ASCII. */
static void
bars_init (Bars *bars, const TillShelfLabel *label)
{
  const char *code = label->barcode != NULL && *label->barcode != '\0' ? label->barcode : NULL;

  memset (bars, 0, sizeof *bars);
  if (code != NULL)
    {
      switch (till_barcode_classify (code))
        {
        case TILL_BARCODE_EAN13:
          bars->text = g_strdup (code);
          break;
        case TILL_BARCODE_UPCA:
          bars->text = g_strconcat ("0", code, NULL);
          break;
        default:
          break;
        }
      if (bars->text != NULL)
        {
          bars->symbology = SYMBOLOGY_EAN13;
          bars->modules = ean13_modules (bars->text);
          return;
        }
    }
  if (code == NULL)
    code = label->sku;
  if (code != NULL && is_code128b_text (code))
    {
      bars->symbology = SYMBOLOGY_CODE128;
      bars->text = g_strdup (code);
      bars->modules = code128b_modules (code);
    }
}

static guint
quiet_left (const Bars *bars)
{
  return bars->symbology == SYMBOLOGY_EAN13 ? EAN13_QUIET_LEFT : CODE128_QUIET;
}

static guint
quiet_right (const Bars *bars)
{
  return bars->symbology == SYMBOLOGY_EAN13 ? EAN13_QUIET_RIGHT : CODE128_QUIET;
}

static guint
total_modules (const Bars *bars)
{
  return quiet_left (bars) + bars->modules->len + quiet_right (bars);
}

/* ---- Texts every label shows ---- */

static char *
today (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static const char *
unit_of (const TillShelfLabel *label)
{
  if (label->unit != NULL && *label->unit != '\0')
    return label->unit;
  return label->weighed ? "kg" : NULL;
}

/* "/kg" after a weighed good's price. */
static char *
per_unit_text (const TillShelfLabel *label)
{
  const char *unit = unit_of (label);

  return label->weighed && unit != NULL ? g_strconcat ("/", unit, NULL) : g_strdup ("");
}

static gboolean
has_member_price (const TillShelfLabel *label)
{
  return label->member_price > 0 && label->member_price != label->price;
}

static char *
sku_text (const TillShelfLabel *label)
{
  return g_strdup_printf (_ ("SKU %s"), label->sku != NULL ? label->sku : "");
}

void
till_shelf_label_init_from_product (TillShelfLabel *label,
                                    TillProduct    *product,
                                    const char     *barcode,
                                    const char     *printed_day)
{
  gint64 member_price;

  g_return_if_fail (label != NULL);
  g_return_if_fail (TILL_IS_PRODUCT (product));

  memset (label, 0, sizeof *label);
  label->name = till_product_get_name (product);
  label->sku = till_product_get_sku (product);
  label->barcode = barcode;
  label->unit = till_product_get_unit (product);
  label->price = till_product_get_price (product);
  member_price = till_product_get_member_price (product);
  /* A member price the same as the price is no member price. */
  label->member_price = member_price != label->price ? member_price : 0;
  label->weighed = till_product_get_weighed (product);
  label->printed_day = printed_day;
}

/* ---- ESC/POS ---- */

/* The printer's own barcode: GS k, function B (m 67 EAN13, m 73 CODE128 with
 * "{B" for set B), after its height, module width and no HRI (the digits are
 * printed as text, the same on every printer). */
static void
append_gs_k (TillEscpos *pos, const Bars *bars, guint module_dots)
{
  guint8      height[] = { GS, 'h', ESCPOS_BAR_HEIGHT };
  guint8      width[] = { GS, 'w', (guint8) module_dots };
  guint8      no_hri[] = { GS, 'H', 0 };
  gboolean    ean = bars->symbology == SYMBOLOGY_EAN13;
  const char *prefix = ean ? "" : "{B";
  gsize       n = strlen (prefix) + strlen (bars->text);
  guint8      head[] = { GS, 'k', ean ? 67 : 73, (guint8) n };

  till_escpos_raw (pos, height, sizeof height);
  till_escpos_raw (pos, width, sizeof width);
  till_escpos_raw (pos, no_hri, sizeof no_hri);
  till_escpos_raw (pos, head, sizeof head);
  till_escpos_raw (pos, (const guint8 *) prefix, strlen (prefix));
  /* The printer starts a new line after the bars by itself. */
  till_escpos_raw (pos, (const guint8 *) bars->text, strlen (bars->text));
}

/* The same bars drawn by us, as a 1-bit image with its quiet zones. */
static void
append_bars_image (TillEscpos *pos, const Bars *bars, guint module_dots)
{
  guint              dots = total_modules (bars) * module_dots;
  guint              width_bytes = (dots + 7) / 8;
  g_autofree guint8 *bits = g_malloc0 ((gsize) width_bytes * ESCPOS_BAR_HEIGHT);
  guint              x0 = quiet_left (bars) * module_dots;

  for (guint m = 0; m < bars->modules->len; m++)
    {
      if (!g_array_index (bars->modules, gboolean, m))
        continue;
      for (guint dx = 0; dx < module_dots; dx++)
        {
          guint x = x0 + m * module_dots + dx;

          bits[x / 8] |= 0x80 >> (x % 8);
        }
    }
  for (guint row = 1; row < ESCPOS_BAR_HEIGHT; row++)
    memcpy (bits + (gsize) row * width_bytes, bits, width_bytes);
  till_escpos_image (pos, bits, width_bytes, ESCPOS_BAR_HEIGHT);
}

/* GS k for printers that draw QR codes themselves (they draw barcodes too);
 * the 58 mm clones without GS ( k (ZJ-5870) lack GS k as well, so they get an
 * image. The widest module that fits the paper, 3 dots at most. */
static void
append_barcode (TillEscpos *pos, const Bars *bars, const TillPrinterProfile *profile)
{
  guint fit = profile->dots / total_modules (bars);
  guint module_dots = MIN (fit, 3);

  if (module_dots == 0)
    return; /* a code too long for the paper: the SKU line still says it */
  if (profile->qr_mode == TILL_QR_NATIVE)
    append_gs_k (pos, bars, module_dots);
  else
    append_bars_image (pos, bars, module_dots);
  till_escpos_line (pos, bars->text);
}

static void
encode_label (TillEscpos *pos, const TillShelfLabel *label, const TillPrinterProfile *profile)
{
  g_autofree char *price = till_money_format_yuan (label->price);
  g_autofree char *per_unit = per_unit_text (label);
  g_autofree char *price_line = g_strconcat (price, per_unit, NULL);
  g_autofree char *sku = sku_text (label);
  g_autofree char *day = label->printed_day != NULL ? g_strdup (label->printed_day) : today ();
  const char      *unit = unit_of (label);
  g_auto (Bars) bars;

  bars_init (&bars, label);
  till_escpos_align (pos, TILL_ALIGN_CENTER);
  /* The name tall but not wide: long names keep to fewer lines. */
  till_escpos_bold (pos, TRUE);
  till_escpos_size (pos, FALSE, TRUE);
  till_escpos_wrapped (pos, label->name != NULL ? label->name : "");
  till_escpos_size (pos, FALSE, FALSE);
  till_escpos_bold (pos, FALSE);
  if (unit != NULL)
    {
      g_autofree char *unit_line = g_strdup_printf (_ ("Unit: %s"), unit);

      till_escpos_line (pos, unit_line);
    }
  till_escpos_feed (pos, 1);
  till_escpos_bold (pos, TRUE);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_line (pos, price_line);
  till_escpos_size (pos, FALSE, FALSE);
  if (has_member_price (label))
    {
      g_autofree char *member = till_money_format_yuan (label->member_price);
      g_autofree char *member_line = g_strdup_printf (_ ("Member price %s"), member);

      till_escpos_line (pos, member_line);
    }
  till_escpos_bold (pos, FALSE);
  if (bars.modules != NULL)
    {
      till_escpos_feed (pos, 1);
      append_barcode (pos, &bars, profile);
    }
  till_escpos_align (pos, TILL_ALIGN_LEFT);
  till_escpos_row (pos, sku, day);
  till_escpos_cut (pos);
}

GBytes *
till_shelf_label_encode (const TillShelfLabel     *labels,
                         guint                     n_labels,
                         const TillPrinterProfile *profile)
{
  g_autoptr (TillEscpos) pos = NULL;

  g_return_val_if_fail (labels != NULL || n_labels == 0, NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  pos = till_escpos_new (profile);
  till_escpos_initialize (pos);
  for (guint i = 0; i < n_labels; i++)
    encode_label (pos, &labels[i], profile);
  return till_escpos_finish (pos);
}

/* ---- PDF ---- */

typedef struct
{
  cairo_t *cr;
  double   x, y, width, height; /* the printable box, in mm */
  double   label_width;         /* the whole label: quiet zones may use the margins */
} Page;

/* Noto Sans CJK's line box, in font sizes: a text of size s takes s × 1.45. */
#define LINE_HEIGHT 1.45

static PangoLayout *
make_layout (cairo_t *cr, const char *text, double size_mm, gboolean bold)
{
  PangoLayout          *layout = pango_cairo_create_layout (cr);
  PangoContext         *context = pango_layout_get_context (layout);
  PangoFontDescription *desc = pango_font_description_from_string (FONT_FAMILY);
  cairo_font_options_t *options = cairo_font_options_create ();

  /* Millimetre units: hinting would round 2 mm letters to whole "pixels"
   * and space them unevenly. */
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  cairo_font_options_destroy (options);
  pango_context_set_round_glyph_positions (context, FALSE);
  pango_layout_context_changed (layout);
  pango_font_description_set_absolute_size (desc, size_mm * PANGO_SCALE);
  pango_font_description_set_weight (desc, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

static void
layout_size (PangoLayout *layout, double *out_width, double *out_height)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  if (out_width != NULL)
    *out_width = (double) logical.width / PANGO_SCALE;
  if (out_height != NULL)
    *out_height = (double) logical.height / PANGO_SCALE;
}

/* Text at (@x, @y) (its top left, or top right when @right_aligned), cut to
 * @max_width and @max_lines; returns its height. */
static double
show_text (Page       *page,
           const char *text,
           double      size_mm,
           gboolean    bold,
           double      x,
           double      y,
           double      max_width,
           int         max_lines,
           gboolean    right_aligned)
{
  g_autoptr (PangoLayout) layout = make_layout (page->cr, text, size_mm, bold);
  double width, height;

  pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_height (layout, -max_lines);
  if (right_aligned)
    pango_layout_set_alignment (layout, PANGO_ALIGN_RIGHT);
  layout_size (layout, &width, &height);
  cairo_move_to (page->cr, right_aligned ? x - max_width : x, y);
  pango_cairo_show_layout (page->cr, layout);
  return height;
}

/* The price big at the left, "/kg" after it; the member price at the right. */
static double
draw_price_row (Page *page, const TillShelfLabel *label, double y, double price_mm)
{
  g_autofree char *price = till_money_format_yuan (label->price);
  g_autofree char *per_unit = per_unit_text (label);
  g_autoptr (PangoLayout) price_layout = make_layout (page->cr, price, price_mm, TRUE);
  double small_mm = price_mm * 0.36;
  double price_w, price_h, member_w = 0;

  if (has_member_price (label))
    {
      g_autofree char *member = till_money_format_yuan (label->member_price);
      g_autoptr (PangoLayout) title = make_layout (page->cr, _ ("Member price"), small_mm, FALSE);
      g_autoptr (PangoLayout) amount = make_layout (page->cr, member, small_mm * 1.5, TRUE);
      double title_w, title_h, amount_w;
      double right = page->x + page->width;

      layout_size (title, &title_w, &title_h);
      layout_size (amount, &amount_w, NULL);
      member_w = MAX (title_w, amount_w);
      cairo_move_to (page->cr, right - title_w, y + price_mm * 0.12);
      pango_cairo_show_layout (page->cr, title);
      cairo_move_to (page->cr, right - amount_w, y + price_mm * 0.12 + title_h);
      pango_cairo_show_layout (page->cr, amount);
    }
  /* A price too wide beside the member price shrinks to fit. */
  layout_size (price_layout, &price_w, &price_h);
  if (price_w > page->width - member_w - small_mm * 4)
    {
      double scale = (page->width - member_w - small_mm * 4) / price_w;

      g_clear_object (&price_layout);
      price_layout = make_layout (page->cr, price, price_mm * scale, TRUE);
      layout_size (price_layout, &price_w, NULL);
    }
  cairo_move_to (page->cr, page->x, y);
  pango_cairo_show_layout (page->cr, price_layout);
  if (*per_unit != '\0')
    {
      g_autoptr (PangoLayout) unit = make_layout (page->cr, per_unit, small_mm * 1.2, TRUE);
      double unit_h;

      layout_size (unit, NULL, &unit_h);
      /* On the price's baseline, roughly: the bottom of both boxes. */
      cairo_move_to (page->cr, page->x + price_w + small_mm * 0.2,
                     y + price_h * 0.82 - unit_h * 0.82);
      pango_cairo_show_layout (page->cr, unit);
    }
  return price_h;
}

/* The bars as rectangles, centred in @page at @y, @height tall (digits
 * included), with the human-readable text under them. */
static void
draw_bars (Page *page, const Bars *bars, double y, double height)
{
  double module = NOMINAL_MODULE_MM;
  double digits_mm = MIN (height * 0.28, 3.2);
  double bars_h = height - digits_mm;
  double x0, left;
  guint  n = total_modules (bars);

  /* The quiet zones may reach into the margins: 0.5 mm from the edges. */
  double room = page->label_width - 1.0;

  /* Whole dots per module, at most the nominal size; a label too narrow for
   * one dot more than a dot gets what fits. */
  module = MIN (module, room / n);
  if (module >= MM_PER_DOT)
    module = (int) (module / MM_PER_DOT) * MM_PER_DOT;
  left = (page->label_width - module * n) / 2;
  x0 = left + quiet_left (bars) * module;

  for (guint m = 0; m < bars->modules->len; m++)
    {
      gboolean guard;
      double   h = bars_h;

      if (!g_array_index (bars->modules, gboolean, m))
        continue;
      /* EAN-13's guard bars reach down between the digit groups. */
      guard = bars->symbology == SYMBOLOGY_EAN13 &&
              (m < 3 || (m >= 45 && m < 50) || m >= bars->modules->len - 3);
      if (guard)
        h += digits_mm * 0.5;
      cairo_rectangle (page->cr, x0 + m * module, y, module, h);
    }
  cairo_fill (page->cr);

  if (bars->symbology == SYMBOLOGY_EAN13)
    {
      char   first[2] = { bars->text[0], '\0' };
      char   left_group[7], right_group[7];
      double size = digits_mm * 0.8;
      double group_w = 42 * module;
      double text_y = y + bars_h;

      memcpy (left_group, bars->text + 1, 6);
      left_group[6] = '\0';
      memcpy (right_group, bars->text + 7, 6);
      right_group[6] = '\0';
      show_text (page, first, size, FALSE, x0 - 7 * module, text_y, 7 * module, 1, FALSE);
      {
        g_autoptr (PangoLayout) l = make_layout (page->cr, left_group, size, FALSE);
        g_autoptr (PangoLayout) r = make_layout (page->cr, right_group, size, FALSE);
        double lw, rw;

        layout_size (l, &lw, NULL);
        layout_size (r, &rw, NULL);
        cairo_move_to (page->cr, x0 + 3 * module + (group_w - lw) / 2, text_y);
        pango_cairo_show_layout (page->cr, l);
        cairo_move_to (page->cr, x0 + 50 * module + (group_w - rw) / 2, text_y);
        pango_cairo_show_layout (page->cr, r);
      }
    }
  else
    {
      g_autoptr (PangoLayout) text = make_layout (page->cr, bars->text, digits_mm * 0.8, FALSE);
      double tw;

      layout_size (text, &tw, NULL);
      cairo_move_to (page->cr, page->x + (page->width - tw) / 2, y + bars_h);
      pango_cairo_show_layout (page->cr, text);
    }
}

/* One label: the name on top, the unit, the price row, the barcode, and the
 * SKU and day at the foot. Sizes follow the label's height. */
static void
draw_label (cairo_t *cr, const TillShelfLabel *label, double width_mm, double height_mm)
{
  double   margin = MAX (1.2, MIN (width_mm, height_mm) * 0.04);
  Page     page = { cr, margin, margin, width_mm - 2 * margin, height_mm - 2 * margin, width_mm };
  gboolean roomy = page.height >= 26; /* 30 mm stock and up */
  /* Heights of each part, from the label's: the barcode gets what is left. */
  double           name_mm = MIN (page.height * (roomy ? 0.13 : 0.15) / LINE_HEIGHT, 5.0);
  double           unit_mm = MIN (page.height * 0.085 / LINE_HEIGHT, 2.6);
  double           price_mm = page.height * 0.30 / LINE_HEIGHT;
  double           foot_mm = MIN (page.height * (roomy ? 0.09 : 0.11) / LINE_HEIGHT, 2.2);
  double           y = page.y;
  double           foot_y = page.y + page.height - foot_mm * LINE_HEIGHT;
  g_autofree char *sku = sku_text (label);
  g_autofree char *day = label->printed_day != NULL ? g_strdup (label->printed_day) : today ();
  const char      *unit = unit_of (label);
  g_auto (Bars) bars;

  bars_init (&bars, label);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);

  y += show_text (&page, label->name != NULL ? label->name : "", name_mm, TRUE, page.x, y,
                  page.width, roomy ? 2 : 1, FALSE);
  /* Small stock leaves the unit out: a weighed price still says "/kg". */
  if (unit != NULL && roomy)
    {
      g_autofree char *unit_line = g_strdup_printf (_ ("Unit: %s"), unit);

      y += show_text (&page, unit_line, unit_mm, FALSE, page.x, y, page.width, 1, FALSE);
    }
  y += draw_price_row (&page, label, y, price_mm);

  show_text (&page, sku, foot_mm, FALSE, page.x, foot_y, page.width / 2, 1, FALSE);
  show_text (&page, day, foot_mm, FALSE, page.x + page.width, foot_y, page.width / 2, 1, TRUE);
  if (bars.modules != NULL && foot_y - y > 4)
    draw_bars (&page, &bars, y + 0.2, foot_y - y - 0.4);
}

static cairo_status_t
append_to_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t
render_pdf (const TillShelfLabel *labels,
            guint                 n_labels,
            double                width_mm,
            double                height_mm,
            GByteArray           *bytes)
{
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (
      append_to_bytes, bytes, width_mm * PT_PER_MM, height_mm * PT_PER_MM);
  cairo_t       *cr = cairo_create (surface);
  cairo_status_t status;

  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "opentill");
  /* Draw in millimetres. */
  cairo_scale (cr, PT_PER_MM, PT_PER_MM);
  for (guint i = 0; i < n_labels; i++)
    {
      cairo_save (cr);
      draw_label (cr, &labels[i], width_mm, height_mm);
      cairo_restore (cr);
      cairo_show_page (cr);
    }
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  return status;
}

gboolean
till_shelf_label_write_pdf (const TillShelfLabel *labels,
                            guint                 n_labels,
                            double                width_mm,
                            double                height_mm,
                            const char           *path,
                            GError              **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  cairo_status_t status;

  g_return_val_if_fail (labels != NULL || n_labels == 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (width_mm < MIN_LABEL_WIDTH_MM || height_mm < MIN_LABEL_HEIGHT_MM)
    {
      g_set_error (error, TILL_SHELF_LABEL_ERROR, TILL_SHELF_LABEL_ERROR_SIZE,
                   _ ("Labels of %1$.0f × %2$.0f mm are too small for a price and a barcode: at "
                      "least %3$.0f × %4$.0f mm are needed"),
                   width_mm, height_mm, MIN_LABEL_WIDTH_MM, MIN_LABEL_HEIGHT_MM);
      return FALSE;
    }
  if (n_labels == 0)
    {
      g_set_error_literal (error, TILL_SHELF_LABEL_ERROR, TILL_SHELF_LABEL_ERROR_FAILED,
                           _ ("There are no labels to print"));
      return FALSE;
    }
  status = render_pdf (labels, n_labels, width_mm, height_mm, bytes);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, TILL_SHELF_LABEL_ERROR, TILL_SHELF_LABEL_ERROR_FAILED,
                   _ ("Cannot draw the labels: %s"), cairo_status_to_string (status));
      return FALSE;
    }
  /* Written whole or not at all: a label printer never gets half a file. */
  return g_file_set_contents_full (path, (const char *) bytes->data, bytes->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}
