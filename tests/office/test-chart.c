/* test-chart.c: tests for src/chart/till-chart.c: each kind drawn to a PNG
 * (kept in $OPENTILL_TEST_OUTPUT/charts) and read back pixel by pixel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "till-chart.h"
#include "till-test-util.h"

#define WIDTH 800
#define HEIGHT 500

/* fontconfig (under Pango) keeps its caches until the process ends, and
 * cairo 1.16 loses two small arrays when it finishes a PDF surface. */
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
  return "leak:libfontconfig.so\nleak:cairo_surface_finish\n";
}

/* cairo is built without frame pointers: only the slow unwinder reaches
 * cairo_surface_finish in the stack of that leak. */
const char *__asan_default_options (void);
const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

/* The first two colours of the chart's palette, as 8-bit RGB. */
static const guint8 blue[3] = { 78, 121, 167 };
static const guint8 orange[3] = { 242, 142, 43 };

typedef struct
{
  cairo_surface_t *surface;
  guint8          *data;
  int              stride, width, height;
} Picture;

static void
picture_clear (Picture *picture)
{
  g_clear_pointer (&picture->surface, cairo_surface_destroy);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Picture, picture_clear)

/* Saves @chart as charts/NAME.png and loads it back. */
static void
render (TillChart *chart, const char *name, int width, int height, Picture *out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = till_test_output_path ("charts", file);

  ck_assert_msg (till_chart_save_png (chart, path, width, height, &error), "%s",
                 error ? error->message : "");
  out->surface = cairo_image_surface_create_from_png (path);
  ck_assert_int_eq (cairo_surface_status (out->surface), CAIRO_STATUS_SUCCESS);
  ck_assert_int_eq (cairo_image_surface_get_width (out->surface), width);
  ck_assert_int_eq (cairo_image_surface_get_height (out->surface), height);
  out->data = cairo_image_surface_get_data (out->surface);
  out->stride = cairo_image_surface_get_stride (out->surface);
  out->width = width;
  out->height = height;
}

static void
pixel (const Picture *picture, int x, int y, guint8 rgb[3])
{
  guint32 p = *(const guint32 *) (picture->data + (gsize) y * picture->stride + x * 4);

  rgb[0] = (p >> 16) & 0xff;
  rgb[1] = (p >> 8) & 0xff;
  rgb[2] = p & 0xff;
}

static gboolean
is_colour (const Picture *picture, int x, int y, const guint8 colour[3])
{
  guint8 rgb[3];

  pixel (picture, x, y, rgb);
  return abs (rgb[0] - colour[0]) <= 3 && abs (rgb[1] - colour[1]) <= 3 &&
         abs (rgb[2] - colour[2]) <= 3;
}

static gboolean
is_white (const Picture *picture, int x, int y)
{
  static const guint8 white[3] = { 255, 255, 255 };

  return is_colour (picture, x, y, white);
}

static double
luminance (const Picture *picture, int x, int y)
{
  guint8 rgb[3];

  pixel (picture, x, y, rgb);
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

/* Pixels that are not white in the rectangle. */
static guint
count_ink (const Picture *picture, int x0, int y0, int x1, int y1)
{
  guint n = 0;

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      if (!is_white (picture, x, y))
        n++;
  return n;
}

static guint
count_colour (const Picture *picture, const guint8 colour[3])
{
  guint n = 0;

  for (int y = 0; y < picture->height; y++)
    for (int x = 0; x < picture->width; x++)
      if (is_colour (picture, x, y, colour))
        n++;
  return n;
}

typedef struct
{
  int start, end; /* [start, end) */
} Run;

/* Runs of columns (@vertical: of rows) holding at least @min pixels of @colour. */
static GArray *
colour_runs (const Picture *picture, const guint8 colour[3], gboolean by_row, guint min)
{
  GArray *runs = g_array_new (FALSE, FALSE, sizeof (Run));
  int     outer = by_row ? picture->height : picture->width;
  int     inner = by_row ? picture->width : picture->height;
  int     start = -1;

  for (int i = 0; i <= outer; i++)
    {
      guint n = 0;

      for (int j = 0; i < outer && j < inner; j++)
        if (is_colour (picture, by_row ? j : i, by_row ? i : j, colour))
          n++;
      if (n >= min && start < 0)
        start = i;
      else if (n < min && start >= 0)
        {
          Run run = { start, i };

          g_array_append_val (runs, run);
          start = -1;
        }
    }
  return runs;
}

/* Pixels of @colour in column @x (or row @y when @by_row). */
static guint
colour_length (const Picture *picture, const guint8 colour[3], int at, gboolean by_row)
{
  guint n = 0;
  int   limit = by_row ? picture->width : picture->height;

  for (int i = 0; i < limit; i++)
    if (is_colour (picture, by_row ? i : at, by_row ? at : i, colour))
      n++;
  return n;
}

static const char *const weekdays[] = { "周一", "周二", "周三", "周四", "周五", "周六", "周日" };

/* /office/chart/bars: one bar per category, left to right, each as tall as
 * its value, with its value written on top. */
START_TEST (test_bars)
{
  static const gint64 values[] = { 120000, 560000, 310000, 45000, 250000, 480000, 399900 };
  g_autoptr (TillChart) chart = till_chart_new (TILL_CHART_BARS, "Net sales by weekday");
  g_auto (Picture) picture = { 0 };
  g_autoptr (GArray) runs = NULL;
  guint heights[G_N_ELEMENTS (values)];
  Run  *run;

  till_chart_set_format (chart, TILL_CHART_FORMAT_MONEY);
  till_chart_set_categories (chart, weekdays, G_N_ELEMENTS (weekdays));
  till_chart_add_series (chart, "Net", values, G_N_ELEMENTS (values));
  ck_assert_int_eq (till_chart_get_kind (chart), TILL_CHART_BARS);
  ck_assert_uint_eq (till_chart_get_n_series (chart), 1);
  ck_assert_str_eq (till_chart_get_title (chart), "Net sales by weekday");
  render (chart, "bars", WIDTH, HEIGHT, &picture);

  runs = colour_runs (&picture, blue, FALSE, 3);
  ck_assert_uint_eq (runs->len, G_N_ELEMENTS (values));
  for (guint i = 0; i < runs->len; i++)
    {
      run = &g_array_index (runs, Run, i);
      /* Bars of equal width, spread over the width in order. */
      ck_assert_int_ge (run->end - run->start, 20);
      if (i > 0)
        ck_assert_int_gt (run->start, g_array_index (runs, Run, i - 1).end + 10);
      heights[i] = colour_length (&picture, blue, (run->start + run->end) / 2, FALSE);
    }
  /* Heights in proportion to the values (to a pixel or two). */
  for (guint i = 0; i < runs->len; i++)
    {
      double expected = (double) heights[1] * values[i] / values[1];

      ck_assert_msg (fabs (heights[i] - expected) <= 2.0, "bar %u: %u px, expected %.1f", i,
                     heights[i], expected);
    }
  ck_assert_uint_gt (heights[1], heights[5]);
  ck_assert_uint_gt (heights[5], heights[3] * 5);

  /* A value label right above each bar's top. */
  for (guint i = 0; i < runs->len; i++)
    {
      int x;
      int top = -1;

      run = &g_array_index (runs, Run, i);
      x = (run->start + run->end) / 2;
      for (int y = 0; y < picture.height && top < 0; y++)
        if (is_colour (&picture, x, y, blue))
          top = y;
      ck_assert_int_gt (top, 20);
      ck_assert_uint_gt (count_ink (&picture, run->start - 5, top - 18, run->end + 5, top - 1), 10);
    }
}
END_TEST

/* /office/chart/bars-grouped: two series side by side, with a legend. */
START_TEST (test_bars_grouped)
{
  static const gint64      this_week[] = { 1000, 2000, 3000, 4000 };
  static const gint64      last_week[] = { 4000, 3000, 2000, 1000 };
  static const char *const labels[] = { "Cash", "WeChat", "Alipay", "Card" };
  g_autoptr (TillChart) chart = till_chart_new (TILL_CHART_BARS, "Tenders");
  g_auto (Picture) picture = { 0 };
  g_autoptr (GArray) blue_runs = NULL;
  g_autoptr (GArray) orange_runs = NULL;

  till_chart_set_categories (chart, labels, G_N_ELEMENTS (labels));
  till_chart_add_series (chart, "This week", this_week, G_N_ELEMENTS (this_week));
  till_chart_add_series (chart, "Last week", last_week, G_N_ELEMENTS (last_week));
  ck_assert_uint_eq (till_chart_get_n_series (chart), 2);
  render (chart, "bars-grouped", WIDTH, HEIGHT, &picture);

  /* Each series' bars, plus one swatch in the legend. */
  blue_runs = colour_runs (&picture, blue, FALSE, 3);
  orange_runs = colour_runs (&picture, orange, FALSE, 3);
  ck_assert_uint_ge (blue_runs->len, 4);
  ck_assert_uint_ge (orange_runs->len, 4);
  /* The orange bar stands right of the blue one in every group. */
  for (guint i = 0; i < 4; i++)
    {
      Run *b = &g_array_index (blue_runs, Run, blue_runs->len - 4 + i);
      Run *o = &g_array_index (orange_runs, Run, orange_runs->len - 4 + i);

      ck_assert_int_ge (o->start, b->end - 1);
      ck_assert_int_lt (o->start - b->end, 5);
    }
  /* Blue rises, orange falls. */
  ck_assert_uint_lt (
      colour_length (&picture, blue, g_array_index (blue_runs, Run, blue_runs->len - 4).start + 2,
                     FALSE),
      colour_length (&picture, blue, g_array_index (blue_runs, Run, blue_runs->len - 1).start + 2,
                     FALSE));
  ck_assert_uint_gt (
      colour_length (&picture, orange,
                     g_array_index (orange_runs, Run, orange_runs->len - 4).start + 2, FALSE),
      colour_length (&picture, orange,
                     g_array_index (orange_runs, Run, orange_runs->len - 1).start + 2, FALSE));
}
END_TEST

/* /office/chart/bars-horizontal: many products with long names lie down,
 * one bar per row, longest first as the report sorts them. */
START_TEST (test_bars_horizontal)
{
  static const char *const names[] = {
    "农夫山泉饮用天然水550ml",
    "蒙牛纯牛奶250ml×12盒",
    "康师傅红烧牛肉面五连包",
    "精品猪五花肉",
    "红富士苹果",
    "可口可乐330ml罐装",
    "伊利安慕希酸奶205g",
    "乐事薯片原味75g",
    "金龙鱼大米5kg",
    "海天酱油生抽500ml",
    "维达抽纸3层100抽",
    "奥利奥夹心饼干",
    "青岛啤酒500ml",
    "德芙丝滑牛奶巧克力",
    "统一老坛酸菜牛肉面",
    "雀巢咖啡1+2原味",
    "旺仔牛奶245ml",
    "双汇王中王火腿肠",
    "绿箭口香糖",
    "清风卷纸",
  };
  gint64 values[G_N_ELEMENTS (names)];
  g_autoptr (TillChart) chart = till_chart_new (TILL_CHART_BARS, "畅销商品 Top 20");
  g_auto (Picture) picture = { 0 };
  g_autoptr (GArray) runs = NULL;
  guint previous = G_MAXUINT;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    values[i] = 2000000 - i * 90000;
  till_chart_set_format (chart, TILL_CHART_FORMAT_MONEY);
  till_chart_set_categories (chart, names, G_N_ELEMENTS (names));
  till_chart_add_series (chart, "Net", values, G_N_ELEMENTS (values));
  render (chart, "bars-horizontal", WIDTH, 600, &picture);

  runs = colour_runs (&picture, blue, TRUE, 3);
  ck_assert_uint_eq (runs->len, G_N_ELEMENTS (names));
  for (guint i = 0; i < runs->len; i++)
    {
      Run  *run = &g_array_index (runs, Run, i);
      guint length = colour_length (&picture, blue, (run->start + run->end) / 2, TRUE);

      ck_assert_uint_lt (length, previous);
      previous = length;
      /* The product's name left of its bar. */
      ck_assert_uint_gt (count_ink (&picture, 10, run->start, 120, run->end), 5);
    }
}
END_TEST

/* The vertical middle of the @colour pixels in column @x, or -1. */
static double
colour_middle (const Picture *picture, const guint8 colour[3], int x)
{
  double sum = 0;
  guint  n = 0;

  for (int y = 0; y < picture->height; y++)
    if (is_colour (picture, x, y, colour))
      {
        sum += y;
        n++;
      }
  return n > 0 ? sum / n : -1;
}

/* /office/chart/line: the points sit at even steps across and at heights in
 * proportion to their values. */
START_TEST (test_line)
{
  static const gint64      values[] = { 300, 900, 600, 1500, 1200, 0, 1800, 2100 };
  static const char *const days[] = { "11-16", "11-17", "11-18", "11-19",
                                      "11-20", "11-21", "11-22", "11-23" };
  g_autoptr (TillChart) chart = till_chart_new (TILL_CHART_LINE, "Sales per day");
  g_auto (Picture) picture = { 0 };
  int    first = -1, last = -1;
  double ys[G_N_ELEMENTS (values)];
  double per_unit;

  till_chart_set_categories (chart, days, G_N_ELEMENTS (days));
  till_chart_add_series (chart, "Sales", values, G_N_ELEMENTS (values));
  render (chart, "line", WIDTH, HEIGHT, &picture);

  for (int x = 0; x < picture.width; x++)
    if (colour_length (&picture, blue, x, FALSE) > 0)
      {
        if (first < 0)
          first = x;
        last = x;
      }
  ck_assert_int_ge (first, 0);
  ck_assert_int_gt (last - first, WIDTH / 2);
  /* The outermost dots' edges are a radius beyond their centres. */
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      int radius = 3;
      int x = first + radius +
              (int) round ((double) (last - first - 2 * radius) * i / (G_N_ELEMENTS (values) - 1));

      ys[i] = colour_middle (&picture, blue, x);
      ck_assert_msg (ys[i] > 0, "no point at x=%d", x);
    }
  per_unit = (ys[5] - ys[7]) / (double) (values[7] - values[5]);
  ck_assert_double_gt (per_unit, 0.05);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      double expected = ys[5] - per_unit * (values[i] - values[5]);

      ck_assert_msg (fabs (ys[i] - expected) <= 2.5, "point %u at y=%.1f, expected %.1f", i, ys[i],
                     expected);
    }
}
END_TEST

/* /office/chart/line-series: two series, two colours and a legend under the
 * title; a long run of days keeps its x labels apart. */
START_TEST (test_line_series)
{
  enum
  {
    N_DAYS = 90
  };
  g_autoptr (TillChart) chart = till_chart_new (TILL_CHART_LINE, "Net and cost, 90 days");
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  gint64 net[N_DAYS], cost[N_DAYS];
  g_auto (Picture) picture = { 0 };
  int      label_top = HEIGHT - 18; /* the glyphs' bodies, under the x axis */
  int      gaps = 0, blank_run = 0;
  gboolean seen_ink = FALSE;

  for (guint i = 0; i < N_DAYS; i++)
    {
      g_ptr_array_add (labels, g_strdup_printf ("2026-%02u-%02u", 9 + i / 30, 1 + i % 30));
      net[i] = 500000 + 200000 * sin (i * 2 * G_PI / 7) + 3000 * i;
      cost[i] = net[i] * 7 / 10;
    }
  till_chart_set_format (chart, TILL_CHART_FORMAT_MONEY);
  till_chart_set_categories (chart, (const char *const *) labels->pdata, labels->len);
  till_chart_add_series (chart, "Net", net, N_DAYS);
  till_chart_add_series (chart, "Cost", cost, N_DAYS);
  render (chart, "line-series", WIDTH, HEIGHT, &picture);

  ck_assert_uint_gt (count_colour (&picture, blue), 200);
  ck_assert_uint_gt (count_colour (&picture, orange), 200);
  /* Along the x labels' row, wide blank gaps part the labels: at least six
   * labels, never one smear. */
  for (int x = 0; x < picture.width; x++)
    {
      if (count_ink (&picture, x, label_top, x + 1, HEIGHT - 4) == 0)
        blank_run++;
      else
        {
          if (seen_ink && blank_run >= 8)
            gaps++;
          seen_ink = TRUE;
          blank_run = 0;
        }
    }
  ck_assert_int_ge (gaps, 5);
}
END_TEST

/* /office/chart/heatmap: the biggest cell is the darkest, the smallest the
 * lightest, and a row darkens with its values. */
START_TEST (test_heatmap)
{
  enum
  {
    N_HOURS = 24
  };
  g_autoptr (TillChart) chart = till_chart_new (TILL_CHART_HEATMAP, "销售热力图（周 × 小时）");
  g_autoptr (GPtrArray) hours = g_ptr_array_new_with_free_func (g_free);
  gint64 values[7 * N_HOURS];
  g_auto (Picture) picture = { 0 };
  int    grid_top = -1, grid_bottom = -1, grid_left = G_MAXINT, grid_right = -1;
  double cell_w, cell_h;
  double min_l, max_l, previous = 1000;

  for (guint h = 0; h < N_HOURS; h++)
    g_ptr_array_add (hours, g_strdup_printf ("%u", h));
  for (guint r = 0; r < 7; r++)
    for (guint h = 0; h < N_HOURS; h++)
      values[r * N_HOURS + h] = (r + 1) * 1000 * (h + 1);
  till_chart_set_format (chart, TILL_CHART_FORMAT_MONEY);
  till_chart_set_grid (chart, weekdays, 7, (const char *const *) hours->pdata, N_HOURS, values);
  render (chart, "heatmap", WIDTH, HEIGHT, &picture);

  /* The grid: the first band of rows full of warm (heat-coloured) pixels. */
  for (int y = 0; y < picture.height; y++)
    {
      int n = 0;

      for (int x = 0; x < picture.width; x++)
        {
          guint8 rgb[3];

          pixel (&picture, x, y, rgb);
          if (rgb[0] - rgb[2] > 10 && rgb[0] > 140)
            {
              n++;
              grid_left = MIN (grid_left, x);
              grid_right = MAX (grid_right, x);
            }
        }
      /* Hairlines of white part the rows: the band ends at a wider gap. */
      if (n > picture.width / 2 && grid_top < 0)
        grid_top = y;
      if (n > picture.width / 2 && (grid_bottom < 0 || y - grid_bottom <= 3))
        grid_bottom = y + 1;
    }
  ck_assert_int_ge (grid_top, 30);
  ck_assert_int_gt (grid_bottom - grid_top, 7 * 10);
  cell_w = (double) (grid_right + 1 - grid_left) / N_HOURS;
  cell_h = (double) (grid_bottom - grid_top) / 7;

  /* Sample each cell near its top-left corner, clear of its value text. */
#define CELL_L(r, c) \
  luminance (&picture, grid_left + (int) (cell_w * (c)) + 3, grid_top + (int) (cell_h * (r)) + 3)
  min_l = CELL_L (0, 0);
  max_l = CELL_L (6, N_HOURS - 1);
  ck_assert_double_gt (min_l, 230);
  ck_assert_double_lt (max_l, 100);
  for (guint c = 0; c < N_HOURS; c++)
    {
      double l = CELL_L (6, c);

      ck_assert_msg (l <= previous + 0.5, "hour %u lighter than the hour before", c);
      previous = l;
    }
#undef CELL_L
  /* The weekday labels left of the grid, the hours above it. */
  ck_assert_uint_gt (count_ink (&picture, 0, grid_top, grid_left - 2, grid_bottom), 50);
  ck_assert_uint_gt (count_ink (&picture, grid_left, grid_top - 16, grid_right, grid_top - 2), 50);
  /* The scale under the grid runs light to dark. */
  ck_assert_uint_gt (count_ink (&picture, grid_left, grid_bottom + 2, grid_right, HEIGHT), 500);
}
END_TEST

/* /office/chart/chinese-title: the title's 汉字 come from a font that has
 * them (no unknown-glyph boxes), and they are drawn. */
START_TEST (test_chinese_title)
{
  static const char *const title = "2026年11月 销售趋势（门店：好邻居）";
  static const gint64      values[] = { 1, 2, 3 };
  static const char *const labels[] = { "一", "二", "三" };
  g_autoptr (TillChart) chart = till_chart_new (TILL_CHART_LINE, title);
  g_auto (Picture) picture = { 0 };
  cairo_surface_t      *scratch = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 10, 10);
  cairo_t              *cr = cairo_create (scratch);
  PangoLayout          *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc = pango_font_description_from_string ("Noto Sans CJK SC, Sans 14");

  pango_layout_set_font_description (layout, desc);
  pango_layout_set_text (layout, title, -1);
  ck_assert_int_eq (pango_layout_get_unknown_glyphs_count (layout), 0);
  pango_font_description_free (desc);
  g_object_unref (layout);
  cairo_destroy (cr);
  cairo_surface_destroy (scratch);

  till_chart_set_categories (chart, labels, 3);
  till_chart_add_series (chart, "x", values, 3);
  render (chart, "chinese-title", WIDTH, HEIGHT, &picture);
  /* Ink in the title band, centred: as much left of the middle as right. */
  {
    guint left = count_ink (&picture, 0, 0, WIDTH / 2, 40);
    guint right = count_ink (&picture, WIDTH / 2, 0, WIDTH, 40);

    ck_assert_uint_gt (left, 300);
    ck_assert_uint_gt (right, 300);
    ck_assert_uint_eq (count_ink (&picture, 0, 0, 150, 40), 0);
  }
}
END_TEST

/* /office/chart/no-data: an empty chart says so, of every kind. */
START_TEST (test_no_data)
{
  static const TillChartKind kinds[] = { TILL_CHART_LINE, TILL_CHART_BARS, TILL_CHART_HEATMAP };
  static const char *const   names[] = { "empty-line", "empty-bars", "empty-heatmap" };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr (TillChart) chart = till_chart_new (kinds[i], "Sales");
      g_auto (Picture) picture = { 0 };

      if (kinds[i] == TILL_CHART_BARS)
        till_chart_set_categories (chart, weekdays, 7); /* categories, no series */
      render (chart, names[i], 400, 300, &picture);
      /* The message in the middle, nothing of the palette anywhere. */
      ck_assert_uint_gt (count_ink (&picture, 100, 130, 300, 175), 100);
      ck_assert_uint_eq (count_colour (&picture, blue), 0);
    }
}
END_TEST

/* /office/chart/pdf: a one-page PDF at the size asked, that poppler reads and
 * renders with the bars on it. */
START_TEST (test_pdf)
{
  static const gint64 values[] = { 5, 9, 2, 7, 3, 8, 6 };
  g_autoptr (TillChart) chart = till_chart_new (TILL_CHART_BARS, "Items per basket 每单件数");
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "chart.pdf", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");
  g_autofree char *pdftoppm = g_find_program_in_path ("pdftoppm");
  gsize            length;

  till_chart_set_categories (chart, weekdays, 7);
  till_chart_add_series (chart, "Items", values, 7);
  ck_assert_msg (till_chart_save_pdf (chart, path, 842, 595, &error), "%s",
                 error ? error->message : "");
  ck_assert (g_file_get_contents (path, &contents, &length, NULL));
  ck_assert_uint_gt (length, 1000);
  ck_assert (memcmp (contents, "%PDF", 4) == 0);

  if (pdfinfo != NULL)
    {
      const char      *argv[] = { "pdfinfo", path, NULL };
      g_autofree char *out = NULL;
      int              status;

      ck_assert (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               NULL, &status, NULL));
      ck_assert_int_eq (status, 0);
      ck_assert_msg (g_regex_match_simple ("^Pages: +1$", out, G_REGEX_MULTILINE, 0), "%s", out);
      ck_assert_msg (g_regex_match_simple ("^Page size: +842 x 595 pts", out, G_REGEX_MULTILINE, 0),
                     "%s", out);
    }
  if (pdftoppm != NULL)
    {
      g_autofree char *prefix = till_test_output_path ("charts", "pdf");
      g_autofree char *png = g_strconcat (prefix, ".png", NULL);
      const char *argv[] = { "pdftoppm", "-png", "-r", "72", "-singlefile", path, prefix, NULL };
      g_auto (Picture) picture = { 0 };
      int status;

      ck_assert (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &status, NULL));
      ck_assert_int_eq (status, 0);
      picture.surface = cairo_image_surface_create_from_png (png);
      ck_assert_int_eq (cairo_surface_status (picture.surface), CAIRO_STATUS_SUCCESS);
      picture.data = cairo_image_surface_get_data (picture.surface);
      picture.stride = cairo_image_surface_get_stride (picture.surface);
      picture.width = cairo_image_surface_get_width (picture.surface);
      picture.height = cairo_image_surface_get_height (picture.surface);
      ck_assert_int_eq (picture.width, 842);
      ck_assert_int_eq (picture.height, 595);
      {
        g_autoptr (GArray) runs = colour_runs (&picture, blue, FALSE, 3);

        ck_assert_uint_eq (runs->len, 7);
      }
      ck_assert_uint_gt (count_ink (&picture, 0, 0, 842, 50), 300);
    }
  till_test_remove_tree (dir);
}
END_TEST

/* /office/chart/unwritable: a path that cannot be written is an error, and
 * leaves nothing behind. */
START_TEST (test_unwritable)
{
  g_autoptr (TillChart) chart = till_chart_new (TILL_CHART_LINE, "x");
  g_autoptr (GError) error = NULL;

  ck_assert (!till_chart_save_png (chart, "/nonexistent-dir/chart.png", 100, 100, &error));
  ck_assert (error != NULL);
  ck_assert (strstr (error->message, "/nonexistent-dir/") != NULL);
  g_clear_error (&error);
  ck_assert (!till_chart_save_pdf (chart, "/nonexistent-dir/chart.pdf", 842, 595, &error));
  ck_assert (error != NULL);
  ck_assert (!g_file_test ("/nonexistent-dir", G_FILE_TEST_EXISTS));
}
END_TEST

/* ---- From a report (built by hand: the struct is public) ---- */

static void
add_column (TillReport *report, const char *id, const char *title, TillReportValueKind kind)
{
  TillReportColumn *column = g_new0 (TillReportColumn, 1);

  column->id = g_strdup (id);
  column->title = g_strdup (title);
  column->kind = kind;
  g_ptr_array_add (report->columns, column);
}

static void
add_row (TillReport *report, const char *key, const char *label, const gint64 *values)
{
  TillReportRow *row = g_new0 (TillReportRow, 1);

  row->key = g_strdup (key);
  row->label = g_strdup (label);
  row->values = g_memdup2 (values, sizeof (gint64) * report->columns->len);
  g_ptr_array_add (report->rows, row);
}

static void
free_column (gpointer data)
{
  TillReportColumn *column = data;

  g_free (column->id);
  g_free (column->title);
  g_free (column);
}

static void
free_row (gpointer data)
{
  TillReportRow *row = data;

  g_free (row->key);
  g_free (row->label);
  g_free (row->values);
  g_free (row);
}

static TillReport *
report_new (TillReportKind kind, TillReportChartKind chart, const char *title)
{
  TillReport *report = g_new0 (TillReport, 1);

  report->kind = kind;
  report->title = g_strdup (title);
  report->columns = g_ptr_array_new_with_free_func (free_column);
  report->rows = g_ptr_array_new_with_free_func (free_row);
  report->headlines = g_ptr_array_new ();
  report->chart = chart;
  return report;
}

static void
report_free (TillReport *report)
{
  g_free (report->title);
  g_ptr_array_unref (report->columns);
  g_ptr_array_unref (report->rows);
  g_ptr_array_unref (report->headlines);
  g_free (report);
}

/* /office/chart/for-report: a report's chart kind, title, rows and chart
 * column make the chart. */
START_TEST (test_for_report)
{
  TillReport *bars = report_new (TILL_REPORT_BY_CATEGORY, TILL_REPORT_CHART_BARS,
                                 "Sales by category 2026-11-01 – 2026-11-30");
  TillReport *heat = report_new (TILL_REPORT_HOUR_HEATMAP, TILL_REPORT_CHART_HEATMAP, "热力图");
  TillReport *empty = report_new (TILL_REPORT_SALES_BY_PERIOD, TILL_REPORT_CHART_LINE, "Empty");
  static const gint64 drinks[] = { 120000, 310000, 2500 };
  static const gint64 snacks[] = { 80000, 150000, 1800 };
  static const gint64 fresh[] = { 450000, 620000, 2100 };
  g_autoptr (TillChart) chart = NULL;
  g_auto (Picture) picture = { 0 };
  g_autoptr (GArray) runs = NULL;

  add_column (bars, "quantity", "Quantity", TILL_REPORT_VALUE_QUANTITY);
  add_column (bars, "net", "Net", TILL_REPORT_VALUE_MONEY);
  add_column (bars, "margin", "Margin", TILL_REPORT_VALUE_PERCENT);
  add_row (bars, "drinks", "饮料", drinks);
  add_row (bars, "snacks", "零食", snacks);
  add_row (bars, "fresh", "生鲜", fresh);
  bars->chart_column = 1;
  chart = till_chart_new_for_report (bars);
  ck_assert_int_eq (till_chart_get_kind (chart), TILL_CHART_BARS);
  ck_assert_str_eq (till_chart_get_title (chart), bars->title);
  ck_assert_uint_eq (till_chart_get_n_series (chart), 1);
  render (chart, "report-bars", WIDTH, HEIGHT, &picture);
  runs = colour_runs (&picture, blue, FALSE, 3);
  ck_assert_uint_eq (runs->len, 3);
  /* The net column is drawn: fresh (620,000) over drinks (310,000) twice. */
  {
    guint h0 = colour_length (&picture, blue, g_array_index (runs, Run, 0).start + 2, FALSE);
    guint h2 = colour_length (&picture, blue, g_array_index (runs, Run, 2).start + 2, FALSE);

    ck_assert_msg (abs ((int) h2 - 2 * (int) h0) <= 3, "%u vs %u", h2, h0);
  }
  g_clear_object (&chart);
  picture_clear (&picture);

  /* A heat map takes every column. */
  {
    static const char *const hours[] = { "8", "9", "10", "11" };

    for (guint c = 0; c < G_N_ELEMENTS (hours); c++)
      add_column (heat, hours[c], hours[c], TILL_REPORT_VALUE_MONEY);
    for (guint r = 0; r < 7; r++)
      {
        gint64 row[4] = { r * 100, r * 200, r * 300, r * 400 };

        add_row (heat, weekdays[r], weekdays[r], row);
      }
    chart = till_chart_new_for_report (heat);
    ck_assert_int_eq (till_chart_get_kind (chart), TILL_CHART_HEATMAP);
    render (chart, "report-heatmap", WIDTH, HEIGHT, &picture);
    ck_assert_uint_gt (count_ink (&picture, 0, 60, WIDTH, HEIGHT - 60), 10000);
    g_clear_object (&chart);
    picture_clear (&picture);
  }

  /* No rows, and a chart column past the columns: a chart with no data. */
  add_column (empty, "net", "Net", TILL_REPORT_VALUE_MONEY);
  empty->chart_column = 5;
  chart = till_chart_new_for_report (empty);
  ck_assert_int_eq (till_chart_get_kind (chart), TILL_CHART_LINE);
  ck_assert_uint_eq (till_chart_get_n_series (chart), 0);
  render (chart, "report-empty", 400, 300, &picture);
  ck_assert_uint_gt (count_ink (&picture, 100, 130, 300, 175), 100);

  report_free (bars);
  report_free (heat);
  report_free (empty);
}
END_TEST

static Suite *
chart_suite (void)
{
  Suite *suite = suite_create ("/office/chart");
  TCase *kinds = tcase_create ("/office/chart/kinds");
  TCase *files = tcase_create ("/office/chart/files");

  tcase_add_test (kinds, test_bars);
  tcase_add_test (kinds, test_bars_grouped);
  tcase_add_test (kinds, test_bars_horizontal);
  tcase_add_test (kinds, test_line);
  tcase_add_test (kinds, test_line_series);
  tcase_add_test (kinds, test_heatmap);
  tcase_add_test (kinds, test_chinese_title);
  tcase_add_test (kinds, test_no_data);
  suite_add_tcase (suite, kinds);

  tcase_add_test (files, test_pdf);
  tcase_add_test (files, test_unwritable);
  tcase_add_test (files, test_for_report);
  suite_add_tcase (suite, files);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (chart_suite ());
}
