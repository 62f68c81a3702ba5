/**
 * The words the generator builds entities and documents from: categories with their price ranges
 * and specification templates, names, cities, warehouses. Data only.
 */

/** A product category: its subcategories, brands, price range and the specifications it carries. */
export interface CategorySpec {
  readonly name: string;
  /** Relative share of the catalogue. */
  readonly weight: number;
  readonly subcategories: readonly string[];
  readonly brands: readonly string[];
  readonly nouns: readonly string[];
  /** Median list price (EUR) and log-normal spread. */
  readonly medianPrice: number;
  readonly priceSigma: number;
  /** Specification keys with the values they take. */
  readonly specs: Readonly<Record<string, readonly (string | number | boolean)[]>>;
  /** What varies between the SKUs of a product. */
  readonly variants: readonly string[];
  readonly tags: readonly string[];
}

export const CATEGORIES: readonly CategorySpec[] = [
  {
    name: 'Electronics',
    weight: 14,
    subcategories: ['Headphones', 'Speakers', 'Smartwatches', 'Chargers', 'Cameras'],
    brands: ['Sonora', 'Voltix', 'Auralis', 'Nexon', 'Pixelio'],
    nouns: ['Wireless Headphones', 'Bluetooth Speaker', 'Smartwatch', 'Fast Charger', 'Action Camera'],
    medianPrice: 79,
    priceSigma: 0.8,
    specs: {
      battery_life: ['6 hours', '10 hours', '20 hours', '30 hours'],
      water_resistant: ['Yes', 'No'],
      bluetooth_version: ['5.0', '5.2', '5.3'],
      weight_g: [45, 180, 250, 420],
      warranty_years: [1, 2, 3],
    },
    variants: ['Black', 'White', 'Blue', 'Silver'],
    tags: ['wireless', 'bluetooth', 'audio', 'portable', 'gadget'],
  },
  {
    name: 'Apparel',
    weight: 22,
    subcategories: ['T-Shirts', 'Jackets', 'Jeans', 'Dresses', 'Shoes'],
    brands: ['Northwind', 'Urbano', 'Lumen & Co', 'Fjellstad', 'Marlow'],
    nouns: ['Cotton T-Shirt', 'Rain Jacket', 'Slim Jeans', 'Summer Dress', 'Running Shoes'],
    medianPrice: 39,
    priceSigma: 0.6,
    specs: {
      material: ['Cotton', 'Polyester', 'Wool blend', 'Denim', 'Linen'],
      fit: ['Regular', 'Slim', 'Relaxed'],
      care: ['Machine wash 30C', 'Hand wash', 'Dry clean'],
      organic: [true, false],
    },
    variants: ['XS', 'S', 'M', 'L', 'XL'],
    tags: ['fashion', 'casual', 'sustainable', 'outdoor'],
  },
  {
    name: 'Home',
    weight: 16,
    subcategories: ['Kitchen', 'Bedding', 'Lighting', 'Storage', 'Decor'],
    brands: ['Hemlund', 'Casa Viva', 'Oakridge', 'Nordlys'],
    nouns: ['Chef Knife', 'Duvet Cover', 'Desk Lamp', 'Storage Box', 'Ceramic Vase'],
    medianPrice: 34,
    priceSigma: 0.7,
    specs: {
      material: ['Steel', 'Cotton', 'Oak', 'Ceramic', 'Glass'],
      dimensions_cm: ['20x10x5', '200x220', '45x15x15', '40x30x25'],
      dishwasher_safe: [true, false],
    },
    variants: ['Grey', 'Natural', 'White', 'Anthracite'],
    tags: ['home', 'kitchen', 'interior', 'gift'],
  },
  {
    name: 'Beauty',
    weight: 10,
    subcategories: ['Skincare', 'Haircare', 'Fragrance', 'Makeup'],
    brands: ['Belle Rive', 'Purelab', 'Aurora Skin', 'Velvet'],
    nouns: ['Face Serum', 'Shampoo', 'Eau de Parfum', 'Lipstick'],
    medianPrice: 24,
    priceSigma: 0.6,
    specs: {
      volume_ml: [30, 50, 100, 250],
      vegan: [true, false],
      skin_type: ['All', 'Dry', 'Oily', 'Sensitive'],
    },
    variants: ['30 ml', '50 ml', '100 ml'],
    tags: ['beauty', 'vegan', 'care', 'gift'],
  },
  {
    name: 'Sports',
    weight: 10,
    subcategories: ['Fitness', 'Cycling', 'Camping', 'Yoga'],
    brands: ['Peakline', 'Velox', 'Trailhead', 'Zenfit'],
    nouns: ['Dumbbell Set', 'Bike Helmet', 'Camping Tent', 'Yoga Mat'],
    medianPrice: 49,
    priceSigma: 0.8,
    specs: {
      weight_kg: [0.3, 1.2, 2.5, 10],
      material: ['Aluminium', 'TPE', 'Nylon', 'Steel'],
      suitable_for: ['Beginner', 'Intermediate', 'Pro'],
    },
    variants: ['Small', 'Medium', 'Large'],
    tags: ['sport', 'outdoor', 'fitness', 'training'],
  },
  {
    name: 'Toys',
    weight: 8,
    subcategories: ['Building', 'Puzzles', 'Dolls', 'Outdoor Toys'],
    brands: ['Blokko', 'Tiny Giants', 'Playwell'],
    nouns: ['Building Set', 'Jigsaw Puzzle', 'Doll House', 'Water Blaster'],
    medianPrice: 29,
    priceSigma: 0.7,
    specs: {
      age_range: ['3+', '6+', '8+', '12+'],
      pieces: [100, 500, 1000, 1500],
      batteries_required: [true, false],
    },
    variants: ['Standard', 'Deluxe'],
    tags: ['kids', 'toys', 'gift', 'educational'],
  },
  {
    name: 'Books',
    weight: 12,
    subcategories: ['Fiction', 'Cookbooks', 'Travel', 'Science'],
    brands: ['Quill House', 'Meridian Press', 'Lantern Books'],
    nouns: ['Novel', 'Cookbook', 'Travel Guide', 'Popular Science'],
    medianPrice: 16,
    priceSigma: 0.4,
    specs: {
      format: ['Paperback', 'Hardcover', 'Audiobook'],
      pages: [180, 320, 450, 610],
      language: ['en', 'de', 'fr', 'es'],
    },
    variants: ['Paperback', 'Hardcover'],
    tags: ['books', 'reading', 'bestseller'],
  },
  {
    name: 'Garden',
    weight: 8,
    subcategories: ['Tools', 'Plants', 'Furniture', 'Watering'],
    brands: ['Greenhand', 'Terrazo', 'Bloomfield'],
    nouns: ['Pruning Shears', 'Herb Kit', 'Garden Chair', 'Hose Reel'],
    medianPrice: 32,
    priceSigma: 0.8,
    specs: {
      material: ['Steel', 'Teak', 'Plastic', 'Rattan'],
      weatherproof: [true, false],
      length_m: [0.2, 1, 15, 30],
    },
    variants: ['Green', 'Black', 'Natural'],
    tags: ['garden', 'outdoor', 'plants', 'summer'],
  },
];

export const FIRST_NAMES = [
  'Anna',
  'Lukas',
  'Emma',
  'Noah',
  'Mia',
  'Elias',
  'Sofia',
  'Liam',
  'Lea',
  'Jonas',
  'Marie',
  'Paul',
  'Clara',
  'Leon',
  'Julia',
  'Felix',
  'Chloe',
  'Hugo',
  'Alice',
  'Louis',
  'Olivia',
  'Jack',
  'Amelia',
  'Oliver',
  'Lucia',
  'Mateo',
  'Giulia',
  'Marco',
  'Zofia',
  'Jakub',
  'Elsa',
  'Erik',
  'Ava',
  'Ethan',
  'Ines',
  'Pedro',
  'Sara',
  'Daan',
  'Fenna',
  'Max',
];

export const LAST_NAMES = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'de Jong',
  'Jansen',
  'de Vries',
  'García',
  'Fernández',
  'López',
  'Rossi',
  'Russo',
  'Ferrari',
  'Nowak',
  'Kowalski',
  'Wiśniewski',
  'Andersson',
  'Johansson',
  'Karlsson',
  'Johnson',
  'Miller',
  'Davis',
  'Wilson',
  'Gruber',
  'Huber',
  'Peeters',
  'Janssens',
  'Moreau',
  'Laurent',
];

/** Countries of customers, with their relative weight and a few cities. */
export const COUNTRIES: readonly { code: string; weight: number; cities: readonly string[] }[] = [
  { code: 'DE', weight: 22, cities: ['Berlin', 'Hamburg', 'Munich', 'Cologne', 'Frankfurt', 'Leipzig'] },
  { code: 'FR', weight: 16, cities: ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Lille'] },
  { code: 'GB', weight: 14, cities: ['London', 'Manchester', 'Birmingham', 'Leeds', 'Glasgow'] },
  { code: 'NL', weight: 8, cities: ['Amsterdam', 'Rotterdam', 'Utrecht', 'Eindhoven'] },
  { code: 'ES', weight: 9, cities: ['Madrid', 'Barcelona', 'Valencia', 'Seville'] },
  { code: 'IT', weight: 9, cities: ['Milan', 'Rome', 'Turin', 'Naples', 'Bologna'] },
  { code: 'PL', weight: 6, cities: ['Warsaw', 'Kraków', 'Wrocław', 'Gdańsk'] },
  { code: 'SE', weight: 4, cities: ['Stockholm', 'Gothenburg', 'Malmö'] },
  { code: 'US', weight: 8, cities: ['New York', 'Los Angeles', 'Chicago', 'Austin', 'Seattle'] },
  { code: 'AT', weight: 2, cities: ['Vienna', 'Graz', 'Salzburg'] },
  { code: 'BE', weight: 2, cities: ['Brussels', 'Antwerp', 'Ghent'] },
];

/** Warehouses in the order the shop opened them; a smaller shop has the first few. */
export const WAREHOUSES: readonly {
  id: string;
  name: string;
  country: string;
  city: string;
  capacity: number;
}[] = [
  { id: 'WH-DE-BER', name: 'Berlin Fulfilment Centre', country: 'DE', city: 'Berlin', capacity: 2_000_000 },
  { id: 'WH-FR-PAR', name: 'Paris Nord Logistics', country: 'FR', city: 'Paris', capacity: 1_500_000 },
  { id: 'WH-GB-LON', name: 'London Gateway Hub', country: 'GB', city: 'London', capacity: 1_200_000 },
  { id: 'WH-NL-AMS', name: 'Amsterdam Schiphol DC', country: 'NL', city: 'Amsterdam', capacity: 900_000 },
  { id: 'WH-ES-MAD', name: 'Madrid Coslada DC', country: 'ES', city: 'Madrid', capacity: 800_000 },
  { id: 'WH-IT-MIL', name: 'Milan Logistics Park', country: 'IT', city: 'Milan', capacity: 800_000 },
  {
    id: 'WH-PL-WAW',
    name: 'Warsaw Returns and Fulfilment',
    country: 'PL',
    city: 'Warsaw',
    capacity: 700_000,
  },
  { id: 'WH-SE-STO', name: 'Stockholm Nordic DC', country: 'SE', city: 'Stockholm', capacity: 400_000 },
  { id: 'WH-US-NYC', name: 'New Jersey East Coast DC', country: 'US', city: 'Newark', capacity: 1_000_000 },
  { id: 'WH-DE-MUC', name: 'Munich South Hub', country: 'DE', city: 'Munich', capacity: 900_000 },
  { id: 'WH-FR-LYS', name: 'Lyon Saint-Exupéry DC', country: 'FR', city: 'Lyon', capacity: 600_000 },
  { id: 'WH-US-LAX', name: 'Ontario CA West Coast DC', country: 'US', city: 'Ontario', capacity: 900_000 },
];

/** Where customers of a country are served from, by warehouse country preference. */
export const COUNTRY_TO_WAREHOUSE_COUNTRY: Readonly<Record<string, string>> = {
  AT: 'DE',
  BE: 'NL',
  SE: 'SE',
};

export const CAMPAIGN_THEMES = [
  'Spring Refresh',
  'Summer Sale',
  'Back to School',
  'Autumn Essentials',
  'Singles Day',
  'Black Friday',
  'Cyber Week',
  'Holiday Gifts',
  'New Year Deals',
  'Valentine Picks',
  'Outdoor Season',
  'Home Makeover',
  'Loyalty Rewards',
  'Flash Friday',
  'Brand Week',
  'Clearance',
];

export const CARRIERS = ['DHL', 'UPS', 'DPD', 'GLS', 'PostNL', 'La Poste', 'Royal Mail'];

export const SEARCH_TERMS = [
  'wireless headphones',
  'rain jacket',
  'yoga mat',
  'gift for dad',
  'running shoes',
  'desk lamp',
  'cookbook',
  'lego',
  'face serum',
  'garden chair',
  'bluetooth speaker',
  'summer dress',
  'camping tent',
  'smartwatch',
  'duvet cover',
  'kids puzzle',
  'perfume',
  'bike helmet',
];

export const REVIEW_TITLES_GOOD = [
  'Love it',
  'Great value',
  'Exactly as described',
  'Highly recommend',
  'Five stars',
];
export const REVIEW_TITLES_BAD = ['Disappointed', 'Broke after a week', 'Not as pictured', 'Too small'];
export const REVIEW_TEXT_GOOD = [
  'Great product! Works exactly as described and arrived quickly.',
  'Really happy with the quality for the price.',
  'Bought this as a gift and it was a big hit.',
  'Solid build, would buy again.',
];
export const REVIEW_TEXT_BAD = [
  'The quality is not what I expected for the price.',
  'Stopped working after a few days; returned it.',
  'Colour looks different from the pictures.',
  'Runs small, order a size up.',
];
