/* till-chart.c: the report charts, drawn with cairo
 *
 * Everything is measured from the size it is given, so the same chart draws
 * on a small screen, a large PNG and an A4 PDF page. Sizes are in user units
 * (pixels on screen, points in a PDF).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-chart"

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "till-chart.h"

/* Noto Sans CJK SC first so 汉字 and Latin share one design; fontconfig
 * falls back to any sans face when it is missing. */
#define FONT_FAMILY "Noto Sans CJK SC, Sans"

/* Ticks the value axis aims for; the 1-2-5 rounding decides the exact count. */
#define MAX_TICKS 8
#define MIN_TICKS 2

typedef struct
{
  double r, g, b;
} Rgb;

/* Tableau 10: distinct on screen, and still distinct as greys on paper. */
static const Rgb palette[] = {
  { 0.306, 0.475, 0.655 }, /* blue */
  { 0.949, 0.557, 0.169 }, /* orange */
  { 0.882, 0.341, 0.349 }, /* red */
  { 0.463, 0.718, 0.698 }, /* teal */
  { 0.349, 0.631, 0.310 }, /* green */
  { 0.929, 0.788, 0.282 }, /* yellow */
  { 0.690, 0.478, 0.631 }, /* purple */
  { 1.000, 0.616, 0.655 }, /* pink */
  { 0.612, 0.459, 0.373 }, /* brown */
  { 0.729, 0.690, 0.675 }, /* grey */
};

/* The heat map's scale: paper-white through orange to a deep red. */
static const Rgb heat_stops[] = {
  { 1.000, 0.969, 0.925 },
  { 0.988, 0.553, 0.349 },
  { 0.600, 0.000, 0.051 },
};

static const Rgb ink = { 0.133, 0.133, 0.133 };
static const Rgb ink_soft = { 0.400, 0.400, 0.400 };
static const Rgb grid_grey = { 0.878, 0.878, 0.878 };
static const Rgb axis_grey = { 0.600, 0.600, 0.600 };
static const Rgb white = { 1, 1, 1 };

typedef struct
{
  char   *name;
  GArray *values; /* gint64 */
} Series;

struct _TillChart
{
  GObject parent_instance;

  TillChartKind   kind;
  char           *title;
  TillChartFormat format;

  GPtrArray *categories; /* char *: LINE and BARS */
  GPtrArray *series;     /* Series */

  GPtrArray *row_labels;    /* char *: HEATMAP */
  GPtrArray *column_labels; /* char * */
  GArray    *grid;          /* gint64, rows × columns */
};

G_DEFINE_FINAL_TYPE (TillChart, till_chart, G_TYPE_OBJECT)

static void
series_free (gpointer data)
{
  Series *series = data;

  g_free (series->name);
  g_array_unref (series->values);
  g_free (series);
}

static void
till_chart_finalize (GObject *object)
{
  TillChart *self = (TillChart *) object;

  g_free (self->title);
  g_ptr_array_unref (self->categories);
  g_ptr_array_unref (self->series);
  g_ptr_array_unref (self->row_labels);
  g_ptr_array_unref (self->column_labels);
  g_array_unref (self->grid);

  G_OBJECT_CLASS (till_chart_parent_class)->finalize (object);
}

static void
till_chart_class_init (TillChartClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = till_chart_finalize;
}

static void
till_chart_init (TillChart *self)
{
  self->format = TILL_CHART_FORMAT_NUMBER;
  self->categories = g_ptr_array_new_with_free_func (g_free);
  self->series = g_ptr_array_new_with_free_func (series_free);
  self->row_labels = g_ptr_array_new_with_free_func (g_free);
  self->column_labels = g_ptr_array_new_with_free_func (g_free);
  self->grid = g_array_new (FALSE, FALSE, sizeof (gint64));
}

TillChart *
till_chart_new (TillChartKind kind, const char *title)
{
  TillChart *self;

  g_return_val_if_fail (kind <= TILL_CHART_HEATMAP, NULL);

  self = g_object_new (TILL_TYPE_CHART, NULL);
  self->kind = kind;
  self->title = g_strdup (title != NULL ? title : "");
  return self;
}

TillChartKind
till_chart_get_kind (TillChart *self)
{
  g_return_val_if_fail (TILL_IS_CHART (self), TILL_CHART_LINE);

  return self->kind;
}

const char *
till_chart_get_title (TillChart *self)
{
  g_return_val_if_fail (TILL_IS_CHART (self), NULL);

  return self->title;
}

void
till_chart_set_format (TillChart *self, TillChartFormat format)
{
  g_return_if_fail (TILL_IS_CHART (self));
  g_return_if_fail (format <= TILL_CHART_FORMAT_PERCENT);

  self->format = format;
}

static void
replace_labels (GPtrArray *array, const char *const *labels, guint n_labels)
{
  g_ptr_array_set_size (array, 0);
  for (guint i = 0; i < n_labels; i++)
    g_ptr_array_add (array, g_strdup (labels[i] != NULL ? labels[i] : ""));
}

void
till_chart_set_categories (TillChart *self, const char *const *labels, guint n_labels)
{
  g_return_if_fail (TILL_IS_CHART (self));
  g_return_if_fail (labels != NULL || n_labels == 0);

  replace_labels (self->categories, labels, n_labels);
}

/* Values past the last category are never drawn; categories past the last
 * value are drawn without one. */
void
till_chart_add_series (TillChart *self, const char *name, const gint64 *values, guint n_values)
{
  Series *series;

  g_return_if_fail (TILL_IS_CHART (self));
  g_return_if_fail (values != NULL || n_values == 0);

  series = g_new0 (Series, 1);
  series->name = g_strdup (name != NULL ? name : "");
  series->values = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_values);
  g_array_append_vals (series->values, values, n_values);
  g_ptr_array_add (self->series, series);
}

guint
till_chart_get_n_series (TillChart *self)
{
  g_return_val_if_fail (TILL_IS_CHART (self), 0);

  return self->series->len;
}

void
till_chart_set_grid (TillChart         *self,
                     const char *const *row_labels,
                     guint              n_rows,
                     const char *const *column_labels,
                     guint              n_columns,
                     const gint64      *values)
{
  g_return_if_fail (TILL_IS_CHART (self));
  g_return_if_fail (row_labels != NULL || n_rows == 0);
  g_return_if_fail (column_labels != NULL || n_columns == 0);
  g_return_if_fail (values != NULL || n_rows * n_columns == 0);

  replace_labels (self->row_labels, row_labels, n_rows);
  replace_labels (self->column_labels, column_labels, n_columns);
  g_array_set_size (self->grid, 0);
  g_array_append_vals (self->grid, values, n_rows * n_columns);
}

/* ---- Numbers as a person reads them ---- */

/* How many raw units make one shown unit, and the most decimals that unit has. */
static void
format_unit (TillChartFormat format, gint64 *out_unit, guint *out_max_decimals)
{
  switch (format)
    {
    case TILL_CHART_FORMAT_MONEY:
    case TILL_CHART_FORMAT_PERCENT:
      *out_unit = 100;
      *out_max_decimals = 2;
      break;
    case TILL_CHART_FORMAT_QUANTITY:
      *out_unit = 1000;
      *out_max_decimals = 3;
      break;
    case TILL_CHART_FORMAT_NUMBER:
    default:
      *out_unit = 1;
      *out_max_decimals = 0;
      break;
    }
}

/* @value / @unit with @decimals decimals (rounded half away from zero) and a
 * comma between thousands: 123456789, 100, 2 → "1,234,567.89". */
static char *
format_scaled (gint64 value, gint64 unit, guint decimals)
{
  guint64  magnitude = value < 0 ? -(guint64) value : (guint64) value;
  guint64  scale = 1; /* 10^decimals */
  guint64  per_step, whole, fraction;
  GString *text = g_string_new (NULL);
  char     digits[32];
  gsize    n_digits;

  for (guint i = 0; i < decimals; i++)
    scale *= 10;
  /* Raw units in one step of the last decimal shown. */
  per_step = MAX ((guint64) unit / scale, 1);
  magnitude = (magnitude + per_step / 2) / per_step;
  whole = magnitude / scale;
  fraction = magnitude % scale;
  if (value < 0 && magnitude > 0)
    g_string_append_c (text, '-'); /* never "-0" */

  g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, whole);
  n_digits = strlen (digits);
  for (gsize i = 0; i < n_digits; i++)
    {
      if (i > 0 && (n_digits - i) % 3 == 0)
        g_string_append_c (text, ',');
      g_string_append_c (text, digits[i]);
    }
  if (decimals > 0)
    g_string_append_printf (text, ".%0*" G_GUINT64_FORMAT, (int) decimals, fraction);
  return g_string_free (text, FALSE);
}

static char *
decorate (TillChartFormat format, char *number)
{
  char *text;

  switch (format)
    {
    case TILL_CHART_FORMAT_MONEY:
      if (number[0] == '-')
        text = g_strconcat ("-¥", number + 1, NULL);
      else
        text = g_strconcat ("¥", number, NULL);
      break;
    case TILL_CHART_FORMAT_PERCENT:
      text = g_strconcat (number, "%", NULL);
      break;
    default:
      return number;
    }
  g_free (number);
  return text;
}

/* The fewest decimals that show @step raw units exactly (an axis step of
 * 50 fen needs one: ¥0.5, ¥1.0, ¥1.5). */
static guint
decimals_for_step (TillChartFormat format, gint64 step)
{
  gint64 unit;
  guint  max_decimals, decimals = 0;

  format_unit (format, &unit, &max_decimals);
  while (decimals < max_decimals && step % unit != 0)
    {
      unit /= 10;
      decimals++;
    }
  return decimals;
}

/* An axis tick: as many decimals as the step needs. */
static char *
format_tick (TillChartFormat format, gint64 value, guint decimals)
{
  gint64 unit;
  guint  max_decimals;

  format_unit (format, &unit, &max_decimals);
  return decorate (format, format_scaled (value, unit, decimals));
}

/* A value on a bar or in a cell: whole yuan from ¥1,000 up (the fen do not
 * matter on a chart and make the label twice as wide), no trailing zeros. */
static char *
format_value (TillChartFormat format, gint64 value)
{
  gint64 unit;
  guint  max_decimals, decimals;
  gint64 magnitude = value < 0 ? -value : value;

  format_unit (format, &unit, &max_decimals);
  decimals = decimals_for_step (format, value);
  if (format == TILL_CHART_FORMAT_MONEY && magnitude >= 1000 * 100)
    decimals = 0;
  else if (format == TILL_CHART_FORMAT_MONEY && decimals == 1)
    decimals = 2; /* ¥2.50, never ¥2.5 */
  else if (format == TILL_CHART_FORMAT_PERCENT)
    decimals = MIN (decimals, 1);
  else if (format == TILL_CHART_FORMAT_QUANTITY && magnitude >= 1000 * 1000)
    decimals = 0;
  return decorate (format, format_scaled (value, unit, decimals));
}

/* ---- The value axis ---- */

typedef struct
{
  gint64 lo, hi, step; /* lo and hi are multiples of step; lo <= 0 <= hi */
  guint  decimals;
} Axis;

/* The smallest 1-2-5 × 10^k step (k >= 0, in raw units) that covers
 * @range in at most @max_ticks steps. */
static gint64
nice_step (gint64 range, guint max_ticks)
{
  static const gint64 multiples[] = { 1, 2, 5 };
  gint64              magnitude = 1;

  for (;;)
    {
      for (guint i = 0; i < G_N_ELEMENTS (multiples); i++)
        {
          gint64 step = multiples[i] * magnitude;

          if (range <= step * (gint64) max_ticks)
            return step;
        }
      if (magnitude > G_MAXINT64 / 100)
        return magnitude * 10;
      magnitude *= 10;
    }
}

static gint64
floor_to (gint64 value, gint64 step)
{
  gint64 q = value / step;

  if (value % step != 0 && value < 0)
    q--;
  return q * step;
}

static gint64
ceil_to (gint64 value, gint64 step)
{
  gint64 q = value / step;

  if (value % step != 0 && value > 0)
    q++;
  return q * step;
}

/* An axis from @min to @max (zero always shown, so bars start at it). The
 * smallest step is one shown unit for plain numbers, one fen for money. */
static Axis
nice_axis (TillChartFormat format, gint64 min, gint64 max, guint max_ticks)
{
  Axis   axis;
  gint64 lo = MIN (min, 0), hi = MAX (max, 0);
  gint64 unit;
  guint  max_decimals;

  format_unit (format, &unit, &max_decimals);
  if (hi == lo)
    hi = lo + unit; /* all zero: an axis of one shown unit */
  max_ticks = CLAMP (max_ticks, MIN_TICKS, MAX_TICKS);
  axis.step = nice_step (hi - lo, max_ticks);
  /* A few ticks past the data look better than ticks that crowd it. */
  axis.lo = floor_to (lo, axis.step);
  axis.hi = ceil_to (hi, axis.step);
  axis.decimals = decimals_for_step (format, axis.step);
  return axis;
}

static double
axis_fraction (const Axis *axis, gint64 value)
{
  return (double) (value - axis->lo) / (double) (axis->hi - axis->lo);
}

/* ---- Drawing helpers ---- */

typedef struct
{
  cairo_t *cr;
  double   width, height;
  double   font_px; /* labels; the title is larger */
} Canvas;

static void
set_rgb (cairo_t *cr, const Rgb *rgb)
{
  cairo_set_source_rgb (cr, rgb->r, rgb->g, rgb->b);
}

static const Rgb *
series_colour (guint index)
{
  return &palette[index % G_N_ELEMENTS (palette)];
}

static PangoLayout *
make_layout (Canvas *canvas, const char *text, double px, gboolean bold)
{
  PangoLayout          *layout = pango_cairo_create_layout (canvas->cr);
  PangoFontDescription *desc = pango_font_description_from_string (FONT_FAMILY);

  pango_font_description_set_absolute_size (desc, px * PANGO_SCALE);
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

/* Cuts the layout to @max_width with an ellipsis at the end. */
static void
layout_ellipsize (PangoLayout *layout, double max_width)
{
  pango_layout_set_width (layout, (int) (MAX (max_width, 1) * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
}

/* Draws @layout so that the point (@ax, @ay) of its box (0 left/top, 0.5
 * centre, 1 right/bottom) lands on (@x, @y). */
static void
show_layout (cairo_t *cr, PangoLayout *layout, double x, double y, double ax, double ay)
{
  double width, height;

  layout_size (layout, &width, &height);
  cairo_move_to (cr, x - ax * width, y - ay * height);
  pango_cairo_show_layout (cr, layout);
}

static double
text_width (Canvas *canvas, const char *text, double px)
{
  g_autoptr (PangoLayout) layout = make_layout (canvas, text, px, FALSE);
  double width;

  layout_size (layout, &width, NULL);
  return width;
}

static void
draw_text (Canvas     *canvas,
           const char *text,
           double      px,
           const Rgb  *colour,
           double      x,
           double      y,
           double      ax,
           double      ay,
           double      max_width)
{
  g_autoptr (PangoLayout) layout = make_layout (canvas, text, px, FALSE);

  if (max_width > 0)
    layout_ellipsize (layout, max_width);
  set_rgb (canvas->cr, colour);
  show_layout (canvas->cr, layout, x, y, ax, ay);
}

/* The title, centred at the top; returns the height it took. */
static double
draw_title (Canvas *canvas, const char *title)
{
  double px = canvas->font_px * 1.45;
  double height;
  g_autoptr (PangoLayout) layout = NULL;

  if (title == NULL || *title == '\0')
    return canvas->font_px * 0.8;
  layout = make_layout (canvas, title, px, TRUE);
  layout_ellipsize (layout, canvas->width - 2 * canvas->font_px);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  layout_size (layout, NULL, &height);
  set_rgb (canvas->cr, &ink);
  cairo_move_to (canvas->cr, canvas->font_px, canvas->font_px * 0.6);
  pango_cairo_show_layout (canvas->cr, layout);
  return canvas->font_px * 0.6 + height + canvas->font_px * 0.6;
}

/* One swatch and name per series, in rows that wrap; returns the height. */
static double
draw_legend (Canvas *canvas, GPtrArray *series, double top)
{
  double swatch = canvas->font_px * 0.8;
  double gap = canvas->font_px * 1.2;
  double line_height = canvas->font_px * 1.5;
  double x = canvas->font_px * 3, y = top;

  for (guint i = 0; i < series->len; i++)
    {
      Series *s = g_ptr_array_index (series, i);
      double width = swatch + canvas->font_px * 0.4 + text_width (canvas, s->name, canvas->font_px);

      if (x + width > canvas->width - canvas->font_px && x > canvas->font_px * 3)
        {
          x = canvas->font_px * 3;
          y += line_height;
        }
      set_rgb (canvas->cr, series_colour (i));
      cairo_rectangle (canvas->cr, x, y + (line_height - swatch) / 2, swatch, swatch);
      cairo_fill (canvas->cr);
      draw_text (canvas, s->name, canvas->font_px, &ink, x + swatch + canvas->font_px * 0.4,
                 y + line_height / 2, 0, 0.5, 0);
      x += width + gap;
    }
  return y + line_height - top + canvas->font_px * 0.4;
}

static void
draw_no_data (Canvas *canvas, double top)
{
  draw_text (canvas, _ ("No data for this period"), canvas->font_px * 1.2, &ink_soft,
             canvas->width / 2, top + (canvas->height - top) / 2, 0.5, 0.5, canvas->width);
}

/* The widest of @labels in the label font. */
static double
widest_label (Canvas *canvas, GPtrArray *labels, double px)
{
  double widest = 0;

  for (guint i = 0; i < labels->len; i++)
    widest = MAX (widest, text_width (canvas, g_ptr_array_index (labels, i), px));
  return widest;
}

/* Every how many'th label fits side by side in slots @slot wide. */
static guint
label_stride (double label_width, double slot)
{
  if (slot <= 0)
    return 1;
  return MAX (1, (guint) ceil (label_width / slot));
}

/* The data's smallest and largest values; FALSE when there are none. */
static gboolean
series_range (TillChart *self, gint64 *out_min, gint64 *out_max)
{
  gboolean any = FALSE;
  guint    n = self->categories->len;

  *out_min = *out_max = 0;
  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);

      for (guint i = 0; i < MIN (n, series->values->len); i++)
        {
          gint64 v = g_array_index (series->values, gint64, i);

          *out_min = any ? MIN (*out_min, v) : v;
          *out_max = any ? MAX (*out_max, v) : v;
          any = TRUE;
        }
    }
  return any;
}

/* The widest tick label of @axis. */
static double
widest_tick (Canvas *canvas, TillChartFormat format, const Axis *axis)
{
  double widest = 0;

  for (gint64 v = axis->lo; v <= axis->hi; v += axis->step)
    {
      g_autofree char *text = format_tick (format, v, axis->decimals);

      widest = MAX (widest, text_width (canvas, text, canvas->font_px));
    }
  return widest;
}

typedef struct
{
  double x, y, w, h;
} Box;

/* Horizontal grid lines and tick labels left of @plot for a vertical value
 * axis. */
static void
draw_value_axis_left (Canvas *canvas, TillChartFormat format, const Axis *axis, const Box *plot)
{
  cairo_t *cr = canvas->cr;

  cairo_set_line_width (cr, 1);
  for (gint64 v = axis->lo; v <= axis->hi; v += axis->step)
    {
      double           y = plot->y + plot->h * (1 - axis_fraction (axis, v));
      g_autofree char *text = format_tick (format, v, axis->decimals);

      set_rgb (cr, v == 0 ? &axis_grey : &grid_grey);
      cairo_move_to (cr, plot->x, round (y) + 0.5);
      cairo_line_to (cr, plot->x + plot->w, round (y) + 0.5);
      cairo_stroke (cr);
      draw_text (canvas, text, canvas->font_px, &ink_soft, plot->x - canvas->font_px * 0.5, y, 1,
                 0.5, 0);
    }
}

/* Vertical grid lines and tick labels under @plot for a horizontal value axis. */
static void
draw_value_axis_bottom (Canvas *canvas, TillChartFormat format, const Axis *axis, const Box *plot)
{
  cairo_t *cr = canvas->cr;

  cairo_set_line_width (cr, 1);
  for (gint64 v = axis->lo; v <= axis->hi; v += axis->step)
    {
      double           x = plot->x + plot->w * axis_fraction (axis, v);
      g_autofree char *text = format_tick (format, v, axis->decimals);

      set_rgb (cr, v == 0 ? &axis_grey : &grid_grey);
      cairo_move_to (cr, round (x) + 0.5, plot->y);
      cairo_line_to (cr, round (x) + 0.5, plot->y + plot->h);
      cairo_stroke (cr);
      draw_text (canvas, text, canvas->font_px, &ink_soft, x, plot->y + plot->h + 4, 0.5, 0, 0);
    }
}

/* Category labels under @plot, centred on their slots, thinned so that no two
 * overlap. */
static void
draw_category_labels (Canvas *canvas, GPtrArray *labels, const Box *plot, gboolean on_points)
{
  guint  n = labels->len;
  double slot = on_points ? (n > 1 ? plot->w / (n - 1) : plot->w) : plot->w / n;
  double gap = canvas->font_px;
  double widest = widest_label (canvas, labels, canvas->font_px);
  double max_width = MAX (plot->w / 2, slot);
  guint  stride = label_stride (MIN (widest, max_width) + gap, slot);

  for (guint i = 0; i < n; i += stride)
    {
      const char *label = g_ptr_array_index (labels, i);
      double      x = plot->x + (on_points ? (n > 1 ? slot * i : plot->w / 2) : slot * (i + 0.5));
      double      width = MIN (text_width (canvas, label, canvas->font_px), max_width);
      /* Centred under its point, but never past the picture's edges. */
      double left = CLAMP (x - width / 2, canvas->font_px * 0.3,
                           canvas->width - width - canvas->font_px * 0.3);

      draw_text (canvas, label, canvas->font_px, &ink, left,
                 plot->y + plot->h + canvas->font_px * 0.4, 0, 0, max_width);
    }
}

/* ---- LINE ---- */

static void
draw_line_chart (TillChart *self, Canvas *canvas, double top)
{
  cairo_t *cr = canvas->cr;
  guint    n = self->categories->len;
  gint64   min, max;
  Axis     axis;
  Box      plot;
  double   label_height = canvas->font_px * 1.6;
  double   radius = MAX (2.0, canvas->font_px * 0.25);

  series_range (self, &min, &max);
  plot.y = top + canvas->font_px * 0.5;
  plot.h = canvas->height - plot.y - label_height - canvas->font_px * 0.6;
  axis = nice_axis (self->format, min, max, (guint) (plot.h / (canvas->font_px * 3)));
  plot.x = canvas->font_px * 1.0 + widest_tick (canvas, self->format, &axis) + canvas->font_px;
  plot.w = canvas->width - plot.x - canvas->font_px * 2;

  draw_value_axis_left (canvas, self->format, &axis, &plot);
  draw_category_labels (canvas, self->categories, &plot, TRUE);

  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);
      guint   count = MIN (n, series->values->len);
      /* Points only where they do not merge into a thick line. */
      gboolean dots = n <= 1 || plot.w / (n - 1) >= radius * 4;

      set_rgb (cr, series_colour (s));
      cairo_set_line_width (cr, MAX (1.5, canvas->font_px * 0.18));
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      for (guint i = 0; i < count; i++)
        {
          gint64 v = g_array_index (series->values, gint64, i);
          double x = plot.x + (n > 1 ? plot.w * i / (n - 1) : plot.w / 2);
          double y = plot.y + plot.h * (1 - axis_fraction (&axis, v));

          if (i == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      cairo_stroke (cr);
      for (guint i = 0; dots && i < count; i++)
        {
          gint64 v = g_array_index (series->values, gint64, i);
          double x = plot.x + (n > 1 ? plot.w * i / (n - 1) : plot.w / 2);
          double y = plot.y + plot.h * (1 - axis_fraction (&axis, v));

          cairo_arc (cr, x, y, radius, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }
}

/* ---- BARS ---- */

/* A value label beside or over its bar, when it fits in @room. */
static void
draw_bar_value (Canvas         *canvas,
                TillChartFormat format,
                gint64          value,
                double          x,
                double          y,
                double          ax,
                double          ay,
                double          room)
{
  g_autofree char *text = format_value (format, value);
  double           px = canvas->font_px * 0.9;

  if (text_width (canvas, text, px) <= room)
    draw_text (canvas, text, px, &ink, x, y, ax, ay, 0);
}

static void
draw_vertical_bars (TillChart *self, Canvas *canvas, double top)
{
  cairo_t *cr = canvas->cr;
  guint    n = self->categories->len;
  guint    n_series = self->series->len;
  gint64   min, max;
  Axis     axis;
  Box      plot;
  double   label_height = canvas->font_px * 1.6;
  double   slot, bar_w, group_w;

  series_range (self, &min, &max);
  /* Room above the bars for the value labels. */
  plot.y = top + canvas->font_px * 1.4;
  plot.h = canvas->height - plot.y - label_height - canvas->font_px * 0.6;
  axis = nice_axis (self->format, min, max, (guint) (plot.h / (canvas->font_px * 3)));
  plot.x = canvas->font_px + widest_tick (canvas, self->format, &axis) + canvas->font_px;
  plot.w = canvas->width - plot.x - canvas->font_px * 1.5;

  draw_value_axis_left (canvas, self->format, &axis, &plot);
  draw_category_labels (canvas, self->categories, &plot, FALSE);

  slot = plot.w / n;
  group_w = slot * 0.72;
  bar_w = group_w / MAX (n_series, 1);
  for (guint s = 0; s < n_series; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);

      for (guint i = 0; i < MIN (n, series->values->len); i++)
        {
          gint64 v = g_array_index (series->values, gint64, i);
          double x = plot.x + slot * i + (slot - group_w) / 2 + bar_w * s;
          double y0 = plot.y + plot.h * (1 - axis_fraction (&axis, 0));
          double y1 = plot.y + plot.h * (1 - axis_fraction (&axis, v));

          set_rgb (cr, series_colour (s));
          cairo_rectangle (cr, x, MIN (y0, y1), bar_w, fabs (y1 - y0));
          cairo_fill (cr);
          if (v >= 0)
            draw_bar_value (canvas, self->format, v, x + bar_w / 2, y1 - 2, 0.5, 1,
                            n_series > 1 ? bar_w : slot - 2);
          else
            draw_bar_value (canvas, self->format, v, x + bar_w / 2, y1 + 2, 0.5, 0,
                            n_series > 1 ? bar_w : slot - 2);
        }
    }
}

/* Long labels (product names) read best beside horizontal bars. */
static void
draw_horizontal_bars (TillChart *self, Canvas *canvas, double top)
{
  cairo_t *cr = canvas->cr;
  guint    n = self->categories->len;
  guint    n_series = self->series->len;
  gint64   min, max;
  Axis     axis;
  Box      plot;
  double   row, px, label_w, bar_h, group_h;
  guint    stride;

  series_range (self, &min, &max);
  plot.y = top + canvas->font_px * 0.3;
  plot.h = canvas->height - plot.y - canvas->font_px * 2.2;
  row = plot.h / n;
  /* Labels shrink with the rows down to a readable size, then skip rows. */
  px = CLAMP (row * 0.75, MIN (canvas->font_px, 9.0), canvas->font_px);
  stride = label_stride (px * 1.25, row);
  label_w = MIN (widest_label (canvas, self->categories, px), canvas->width * 0.35);
  plot.x = canvas->font_px + label_w + canvas->font_px * 0.6;
  plot.w = canvas->width - plot.x - canvas->font_px * 1.5;
  axis = nice_axis (self->format, min, max, (guint) (plot.w / (canvas->font_px * 7)));
  /* Room right of the longest bar for its value. */
  plot.w -= MIN (text_width (canvas, "¥000,000", canvas->font_px * 0.9), plot.w / 5);

  draw_value_axis_bottom (canvas, self->format, &axis, &plot);
  for (guint i = 0; i < n; i += stride)
    draw_text (canvas, g_ptr_array_index (self->categories, i), px, &ink,
               plot.x - canvas->font_px * 0.6, plot.y + row * (i + 0.5), 1, 0.5, label_w);

  group_h = row * 0.75;
  bar_h = group_h / MAX (n_series, 1);
  for (guint s = 0; s < n_series; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);

      for (guint i = 0; i < MIN (n, series->values->len); i++)
        {
          gint64 v = g_array_index (series->values, gint64, i);
          double y = plot.y + row * i + (row - group_h) / 2 + bar_h * s;
          double x0 = plot.x + plot.w * axis_fraction (&axis, 0);
          double x1 = plot.x + plot.w * axis_fraction (&axis, v);
          double room = v >= 0 ? canvas->width - x1 - 4 : x1 - plot.x - 4;

          set_rgb (cr, series_colour (s));
          cairo_rectangle (cr, MIN (x0, x1), y, fabs (x1 - x0), bar_h);
          cairo_fill (cr);
          if (bar_h >= px * 0.8)
            draw_bar_value (canvas, self->format, v, v >= 0 ? x1 + 4 : x1 - 4, y + bar_h / 2,
                            v >= 0 ? 0 : 1, 0.5, room);
        }
    }
}

static void
draw_bar_chart (TillChart *self, Canvas *canvas, double top)
{
  double plot_w = canvas->width * 0.8;
  double slot = plot_w / self->categories->len;
  double widest = widest_label (canvas, self->categories, canvas->font_px);

  if (self->categories->len > 1 && widest + canvas->font_px * 0.5 > slot)
    draw_horizontal_bars (self, canvas, top);
  else
    draw_vertical_bars (self, canvas, top);
}

/* ---- HEATMAP ---- */

static void
heat_colour (double t, Rgb *out)
{
  double scaled = CLAMP (t, 0, 1) * (G_N_ELEMENTS (heat_stops) - 1);
  guint  i = MIN ((guint) scaled, G_N_ELEMENTS (heat_stops) - 2);
  double f = scaled - i;

  out->r = heat_stops[i].r + (heat_stops[i + 1].r - heat_stops[i].r) * f;
  out->g = heat_stops[i].g + (heat_stops[i + 1].g - heat_stops[i].g) * f;
  out->b = heat_stops[i].b + (heat_stops[i + 1].b - heat_stops[i].b) * f;
}

/* The scale under the grid: a gradient from the lowest to the highest value. */
static void
draw_heat_legend (Canvas *canvas, TillChartFormat format, gint64 lo, gint64 hi, const Box *box)
{
  cairo_t         *cr = canvas->cr;
  cairo_pattern_t *gradient;
  g_autofree char *lo_text = format_value (format, lo);
  g_autofree char *hi_text = format_value (format, hi);

  gradient = cairo_pattern_create_linear (box->x, 0, box->x + box->w, 0);
  for (guint i = 0; i < G_N_ELEMENTS (heat_stops); i++)
    cairo_pattern_add_color_stop_rgb (gradient, (double) i / (G_N_ELEMENTS (heat_stops) - 1),
                                      heat_stops[i].r, heat_stops[i].g, heat_stops[i].b);
  cairo_rectangle (cr, box->x, box->y, box->w, box->h);
  cairo_set_source (cr, gradient);
  cairo_pattern_destroy (gradient);
  cairo_fill_preserve (cr);
  set_rgb (cr, &axis_grey);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  draw_text (canvas, lo_text, canvas->font_px, &ink_soft, box->x - canvas->font_px * 0.5,
             box->y + box->h / 2, 1, 0.5, 0);
  draw_text (canvas, hi_text, canvas->font_px, &ink_soft, box->x + box->w + canvas->font_px * 0.5,
             box->y + box->h / 2, 0, 0.5, 0);
}

static void
draw_heatmap (TillChart *self, Canvas *canvas, double top)
{
  cairo_t *cr = canvas->cr;
  guint    n_rows = self->row_labels->len;
  guint    n_columns = self->column_labels->len;
  double   row_label_w = widest_label (canvas, self->row_labels, canvas->font_px);
  double   column_label_w = widest_label (canvas, self->column_labels, canvas->font_px);
  double   legend_h = canvas->font_px * 3.2;
  gint64   lo = 0, hi = 0;
  Box      grid, legend;
  double   cell_w, cell_h;
  guint    column_stride, row_stride;
  double   cell_px;
  gboolean show_values;

  for (guint i = 0; i < self->grid->len; i++)
    {
      gint64 v = g_array_index (self->grid, gint64, i);

      lo = MIN (lo, v);
      hi = MAX (hi, v);
    }

  row_label_w = MIN (row_label_w, canvas->width * 0.3);
  grid.x = canvas->font_px + row_label_w + canvas->font_px * 0.6;
  grid.y = top + canvas->font_px * 1.8;
  grid.w = canvas->width - grid.x - canvas->font_px * 1.5;
  grid.h = canvas->height - grid.y - legend_h;
  cell_w = grid.w / n_columns;
  cell_h = grid.h / n_rows;
  column_stride = label_stride (column_label_w + canvas->font_px * 0.5, cell_w);
  row_stride = label_stride (canvas->font_px * 1.2, cell_h);

  for (guint c = 0; c < n_columns; c += column_stride)
    draw_text (canvas, g_ptr_array_index (self->column_labels, c), canvas->font_px, &ink_soft,
               grid.x + cell_w * (c + 0.5), grid.y - canvas->font_px * 0.3, 0.5, 1, 0);
  for (guint r = 0; r < n_rows; r += row_stride)
    draw_text (canvas, g_ptr_array_index (self->row_labels, r), canvas->font_px, &ink,
               grid.x - canvas->font_px * 0.6, grid.y + cell_h * (r + 0.5), 1, 0.5, row_label_w);

  /* Values in the cells only when every one fits: a grid half with
   * numbers and half without reads as missing data. */
  cell_px = canvas->font_px * 0.8;
  show_values = cell_px * 1.3 <= cell_h;
  for (guint i = 0; show_values && i < self->grid->len; i++)
    {
      g_autofree char *text = format_value (self->format, g_array_index (self->grid, gint64, i));

      show_values = text_width (canvas, text, cell_px) <= cell_w - 4;
    }

  for (guint r = 0; r < n_rows; r++)
    for (guint c = 0; c < n_columns; c++)
      {
        gint64 v = g_array_index (self->grid, gint64, (gsize) r * n_columns + c);
        double t = hi > lo ? (double) (v - lo) / (double) (hi - lo) : 0;
        Rgb    colour;

        heat_colour (t, &colour);
        set_rgb (cr, &colour);
        /* A hairline of white between cells keeps the grid readable. */
        cairo_rectangle (cr, grid.x + cell_w * c + 0.5, grid.y + cell_h * r + 0.5, cell_w - 1,
                         cell_h - 1);
        cairo_fill (cr);
        if (show_values)
          {
            g_autofree char *text = format_value (self->format, v);

            draw_text (canvas, text, cell_px, t > 0.55 ? &white : &ink, grid.x + cell_w * (c + 0.5),
                       grid.y + cell_h * (r + 0.5), 0.5, 0.5, 0);
          }
      }

  legend.w = MIN (grid.w * 0.5, canvas->font_px * 20);
  legend.h = canvas->font_px * 0.9;
  legend.x = grid.x + (grid.w - legend.w) / 2;
  legend.y = grid.y + grid.h + (legend_h - legend.h) / 2;
  draw_heat_legend (canvas, self->format, lo, hi, &legend);
}

/* ---- The whole chart ---- */

static gboolean
has_data (TillChart *self)
{
  if (self->kind == TILL_CHART_HEATMAP)
    return self->row_labels->len > 0 && self->column_labels->len > 0 &&
           self->grid->len == self->row_labels->len * self->column_labels->len;
  for (guint s = 0; s < self->series->len; s++)
    {
      Series *series = g_ptr_array_index (self->series, s);

      if (series->values->len > 0 && self->categories->len > 0)
        return TRUE;
    }
  return FALSE;
}

void
till_chart_draw (TillChart *self, cairo_t *cr, double width, double height)
{
  Canvas canvas = { cr, width, height, 0 };
  double top;

  g_return_if_fail (TILL_IS_CHART (self));
  g_return_if_fail (cr != NULL);

  if (width < 1 || height < 1)
    return;
  /* Labels grow with the picture, within what stays readable. */
  canvas.font_px = CLAMP (MIN (width / 60.0, height / 32.0), 8.0, 18.0);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);

  top = draw_title (&canvas, self->title);
  if (!has_data (self))
    draw_no_data (&canvas, top);
  else
    {
      if (self->kind != TILL_CHART_HEATMAP && self->series->len > 1)
        top += draw_legend (&canvas, self->series, top);
      switch (self->kind)
        {
        case TILL_CHART_LINE:
          draw_line_chart (self, &canvas, top);
          break;
        case TILL_CHART_BARS:
          draw_bar_chart (self, &canvas, top);
          break;
        case TILL_CHART_HEATMAP:
        default:
          draw_heatmap (self, &canvas, top);
          break;
        }
    }
  cairo_restore (cr);
}

/* ---- From a report ---- */

static TillChartFormat
format_for_value_kind (TillReportValueKind kind)
{
  switch (kind)
    {
    case TILL_REPORT_VALUE_MONEY:
      return TILL_CHART_FORMAT_MONEY;
    case TILL_REPORT_VALUE_QUANTITY:
      return TILL_CHART_FORMAT_QUANTITY;
    case TILL_REPORT_VALUE_PERCENT:
      return TILL_CHART_FORMAT_PERCENT;
    case TILL_REPORT_VALUE_COUNT:
    case TILL_REPORT_VALUE_DAYS:
    default:
      return TILL_CHART_FORMAT_NUMBER;
    }
}

/* Days come in tenths; the chart has no tenths format, and whole days are
 * what a person reads off a chart anyway. */
static gint64
chart_value (TillReportValueKind kind, gint64 value)
{
  if (kind == TILL_REPORT_VALUE_DAYS)
    return value >= 0 ? (value + 5) / 10 : -((-value + 5) / 10);
  return value;
}

static const char *
row_label (const TillReportRow *row)
{
  if (row->label != NULL)
    return row->label;
  return row->key != NULL ? row->key : "";
}

static void
fill_heatmap (TillChart *self, const TillReport *report)
{
  guint                   n_rows = report->rows->len, n_columns = report->columns->len;
  g_autofree const char **rows = g_new0 (const char *, n_rows + 1);
  g_autofree const char **columns = g_new0 (const char *, n_columns + 1);
  g_autofree gint64      *values = g_new0 (gint64, (gsize) n_rows * n_columns + 1);

  for (guint c = 0; c < n_columns; c++)
    {
      const TillReportColumn *column = g_ptr_array_index (report->columns, c);

      columns[c] = column->title != NULL ? column->title : column->id;
    }
  for (guint r = 0; r < n_rows; r++)
    {
      const TillReportRow *row = g_ptr_array_index (report->rows, r);

      rows[r] = row_label (row);
      for (guint c = 0; c < n_columns; c++)
        {
          const TillReportColumn *column = g_ptr_array_index (report->columns, c);

          values[(gsize) r * n_columns + c] = chart_value (column->kind, row->values[c]);
        }
    }
  if (n_columns > 0)
    {
      const TillReportColumn *first = g_ptr_array_index (report->columns, 0);

      till_chart_set_format (self, format_for_value_kind (first->kind));
    }
  till_chart_set_grid (self, rows, n_rows, columns, n_columns, values);
}

static void
fill_series (TillChart *self, const TillReport *report)
{
  guint                   n_rows = report->rows->len;
  g_autofree const char **labels = g_new0 (const char *, n_rows + 1);
  g_autofree gint64      *values = g_new0 (gint64, n_rows + 1);
  const TillReportColumn *column;

  for (guint r = 0; r < n_rows; r++)
    labels[r] = row_label (g_ptr_array_index (report->rows, r));
  till_chart_set_categories (self, labels, n_rows);

  /* No column to draw: the chart says there is no data. */
  if (report->chart_column >= report->columns->len)
    return;
  column = g_ptr_array_index (report->columns, report->chart_column);
  for (guint r = 0; r < n_rows; r++)
    {
      const TillReportRow *row = g_ptr_array_index (report->rows, r);

      values[r] = chart_value (column->kind, row->values[report->chart_column]);
    }
  till_chart_set_format (self, format_for_value_kind (column->kind));
  till_chart_add_series (self, column->title != NULL ? column->title : column->id, values, n_rows);
}

TillChart *
till_chart_new_for_report (const TillReport *report)
{
  TillChartKind kind;
  TillChart    *self;

  g_return_val_if_fail (report != NULL, NULL);

  switch (report->chart)
    {
    case TILL_REPORT_CHART_BARS:
      kind = TILL_CHART_BARS;
      break;
    case TILL_REPORT_CHART_HEATMAP:
      kind = TILL_CHART_HEATMAP;
      break;
    case TILL_REPORT_CHART_LINE:
    default:
      kind = TILL_CHART_LINE;
      break;
    }
  self = till_chart_new (kind, report->title);
  if (report->rows == NULL || report->columns == NULL)
    return self;
  if (kind == TILL_CHART_HEATMAP)
    fill_heatmap (self, report);
  else
    fill_series (self, report);
  return self;
}

/* ---- Files ---- */

static cairo_status_t
append_to_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
cairo_failed (cairo_status_t status, const char *what, const char *path, GError **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return FALSE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _ ("Cannot draw the chart as %1$s for “%2$s”: %3$s"), what, path,
               cairo_status_to_string (status));
  return TRUE;
}

/* The bytes are drawn in memory first, so a file is written whole or not at
 * all, and a path that cannot be written gets the system's reason. */
static gboolean
write_file (const char *path, GByteArray *bytes, GError **error)
{
  return g_file_set_contents_full (path, (const char *) bytes->data, bytes->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

/* The chart as PNG bytes, or the reason cairo could not make them. */
static cairo_status_t
render_png (TillChart *self, int width, int height, GByteArray *bytes)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t         *cr = cairo_create (surface);
  cairo_status_t   status;

  till_chart_draw (self, cr, width, height);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png_stream (surface, append_to_bytes, bytes);
  cairo_surface_destroy (surface);
  return status;
}

gboolean
till_chart_save_png (TillChart *self, const char *path, int width, int height, GError **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();

  g_return_val_if_fail (TILL_IS_CHART (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (width > 0 && height > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (cairo_failed (render_png (self, width, height, bytes), "PNG", path, error))
    return FALSE;
  return write_file (path, bytes, error);
}

/* The chart as a one-page PDF's bytes. */
static cairo_status_t
render_pdf (TillChart *self, double width_pt, double height_pt, GByteArray *bytes)
{
  cairo_surface_t *surface;
  cairo_t         *cr;
  cairo_status_t   status;

  surface = cairo_pdf_surface_create_for_stream (append_to_bytes, bytes, width_pt, height_pt);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, self->title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "opentill");
  cr = cairo_create (surface);
  till_chart_draw (self, cr, width_pt, height_pt);
  cairo_show_page (cr);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  return status;
}

gboolean
till_chart_save_pdf (
    TillChart *self, const char *path, double width_pt, double height_pt, GError **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();

  g_return_val_if_fail (TILL_IS_CHART (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (width_pt > 0 && height_pt > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (cairo_failed (render_pdf (self, width_pt, height_pt, bytes), "PDF", path, error))
    return FALSE;
  return write_file (path, bytes, error);
}
