/**
 * The simulated chain's catalog: 10 categories, 400 SKUs with realistic shelf prices (ending in
 * .99/.49/.29), a popularity weight per SKU (Zipf-like within its category), how many a basket
 * usually takes, and weekly promotions (a deterministic share of SKUs 10–30 % off, which lifts
 * their sales).
 */
import { rngFor } from "./prng.ts";

/** One SKU. */
export interface Sku {
  sku: string;
  name: string;
  category: string;
  priceCents: number;
  /** Relative chance of being picked into a basket. */
  weight: number;
  /** Usual units per line (1 for a TV, several for yoghurt). */
  maxQty: number;
}

// category: [code, share of basket lines, max units per line, [product, low $, high $][]]
const CATEGORIES: [string, string, number, number, [string, number, number][]][] = [
  ["Grocery", "GRO", 0.22, 4, [
    ["Whole Milk", 2.5, 4.5],
    ["Sourdough Bread", 3, 6],
    ["Free-Range Eggs", 3, 7],
    ["Greek Yoghurt", 1, 5],
    ["Cheddar Cheese", 4, 9],
    ["Pasta", 1.2, 3.5],
    ["Basmati Rice", 2.5, 9],
    ["Olive Oil", 6, 15],
    ["Breakfast Cereal", 3, 6],
    ["Frozen Pizza", 4, 9],
  ]],
  ["Beverages", "BEV", 0.14, 6, [
    ["Sparkling Water", 0.9, 6],
    ["Orange Juice", 3, 6],
    ["Ground Coffee", 7, 15],
    ["Green Tea", 3, 7],
    ["Cola", 1.2, 7],
    ["Energy Drink", 2, 4],
    ["Craft Beer", 9, 16],
    ["Red Wine", 8, 25],
    ["Kombucha", 3, 5],
    ["Oat Milk", 3.5, 5.5],
  ]],
  ["Snacks", "SNK", 0.12, 4, [
    ["Potato Chips", 2, 5],
    ["Dark Chocolate", 2.5, 5],
    ["Trail Mix", 4, 9],
    ["Granola Bar", 1, 6],
    ["Pretzels", 2, 4],
    ["Popcorn", 2, 5],
    ["Cookies", 3, 6],
    ["Salted Nuts", 4, 10],
    ["Gummy Bears", 1.5, 4],
    ["Rice Cakes", 2, 4],
  ]],
  ["Household", "HH", 0.1, 3, [
    ["Paper Towels", 5, 18],
    ["Dish Soap", 2.5, 5],
    ["Laundry Detergent", 8, 20],
    ["Trash Bags", 6, 14],
    ["Toilet Paper", 6, 22],
    ["Sponges", 2, 5],
    ["All-Purpose Cleaner", 3, 7],
    ["Light Bulbs", 5, 15],
    ["Batteries AA", 6, 16],
    ["Aluminium Foil", 3, 7],
  ]],
  ["Personal Care", "PC", 0.09, 2, [
    ["Shampoo", 4, 12],
    ["Toothpaste", 2.5, 6],
    ["Deodorant", 3, 8],
    ["Body Wash", 4, 10],
    ["Razor Blades", 8, 25],
    ["Sunscreen", 7, 16],
    ["Hand Cream", 3, 10],
    ["Cotton Pads", 2, 5],
    ["Lip Balm", 1.5, 4],
    ["Face Cleanser", 6, 18],
  ]],
  ["Health", "HLT", 0.06, 2, [
    ["Pain Relief Tablets", 4, 12],
    ["Multivitamins", 8, 20],
    ["Allergy Relief", 7, 18],
    ["Bandages", 3, 7],
    ["Cough Syrup", 6, 12],
    ["Vitamin C", 5, 12],
    ["Thermometer", 9, 25],
    ["Hand Sanitizer", 2, 6],
    ["Face Masks", 5, 14],
    ["Protein Powder", 20, 45],
  ]],
  ["Home & Kitchen", "HK", 0.08, 2, [
    ["Coffee Mug", 5, 15],
    ["Chef Knife", 20, 80],
    ["Cutting Board", 10, 30],
    ["Scented Candle", 8, 25],
    ["Bath Towel", 10, 30],
    ["Storage Jars", 8, 24],
    ["Frying Pan", 20, 60],
    ["Throw Pillow", 15, 40],
    ["Picture Frame", 8, 25],
    ["Water Bottle", 10, 35],
  ]],
  ["Apparel", "APP", 0.07, 2, [
    ["Cotton T-Shirt", 8, 25],
    ["Socks 3-Pack", 6, 15],
    ["Hoodie", 25, 60],
    ["Jeans", 30, 80],
    ["Baseball Cap", 12, 30],
    ["Rain Jacket", 40, 120],
    ["Leggings", 15, 45],
    ["Scarf", 12, 35],
    ["Sneakers", 45, 120],
    ["Pyjamas", 20, 45],
  ]],
  ["Electronics", "ELE", 0.06, 1, [
    ["USB-C Cable", 8, 25],
    ["Phone Charger", 15, 40],
    ["Wireless Earbuds", 30, 180],
    ["Bluetooth Speaker", 25, 150],
    ["Power Bank", 20, 60],
    ["Smart Bulb", 10, 30],
    ["HDMI Cable", 8, 20],
    ["Memory Card", 10, 45],
    ["Smartwatch", 80, 400],
    ["Headphones", 40, 300],
  ]],
  ["Toys", "TOY", 0.06, 2, [
    ["Building Blocks", 15, 80],
    ["Jigsaw Puzzle", 10, 25],
    ["Plush Bear", 10, 30],
    ["Board Game", 20, 50],
    ["Toy Car", 5, 20],
    ["Art Set", 10, 35],
    ["Doll", 15, 40],
    ["Playing Cards", 3, 8],
    ["Bubble Wand", 2, 6],
    ["Science Kit", 20, 50],
  ]],
];

const VARIANTS = ["Small", "Regular", "Large", "Family"];

/** Category names, in catalog order. */
export const CATEGORY_NAMES = CATEGORIES.map((c) => c[0]);

/** Rounds dollars to a shelf price in cents ending in .49 or .99, at least 0.49. */
function shelfPrice(dollars: number): number {
  return Math.max(49, Math.round(dollars * 2) * 50 - 1);
}

/** The 400-SKU catalog (the same for every seed). */
export function buildCatalog(): Sku[] {
  const out: Sku[] = [];
  for (const [category, code, share, maxQty, products] of CATEGORIES) {
    const items: Sku[] = [];
    products.forEach(([name, lo, hi], p) => {
      VARIANTS.forEach((variant, v) => {
        const price = lo + (hi - lo) * (v / (VARIANTS.length - 1));
        items.push({
          sku: `${code}-${String(p * VARIANTS.length + v + 1).padStart(3, "0")}`,
          name: `${name} ${variant}`,
          category,
          priceCents: shelfPrice(price),
          weight: 0,
          maxQty: v === 3 ? Math.max(1, Math.ceil(maxQty / 2)) : maxQty,
        });
      });
    });
    // Zipf-like popularity inside the category, in a fixed shuffled order.
    const r = rngFor(0, "catalog", code);
    const keys = items.map(() => r.next());
    const order = items.map((_, i) => i).sort((a, b) => keys[a] - keys[b]);
    let norm = 0;
    for (let k = 0; k < order.length; k++) norm += 1 / (k + 1) ** 0.9;
    order.forEach((idx, k) => {
      items[idx].weight = share * (1 / (k + 1) ** 0.9) / norm;
    });
    out.push(...items);
  }
  return out;
}

/** Weekly promotions: SKU index → discount fraction, for the week starting `weekIndex`. */
export function promotionsForWeek(
  seed: number,
  weekIndex: number,
  catalog: Sku[],
): Map<number, number> {
  const r = rngFor(seed, "promo", weekIndex);
  const out = new Map<number, number>();
  for (let i = 0; i < catalog.length; i++) {
    if (r.chance(0.06)) out.set(i, [0.1, 0.15, 0.2, 0.25, 0.3][r.int(0, 4)]);
  }
  return out;
}
