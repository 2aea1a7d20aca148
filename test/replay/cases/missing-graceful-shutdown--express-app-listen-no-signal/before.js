// Replay case (before the fix) — excerpt of public code, kept under its original license (see repository).
// Repository: https://github.com/dockersamples/catalog-service-node
// Commit:     9812245ed0088f719f65f8472fcafc19ead65992 (its parent holds this version)
// Path:       src/index.js
// Subject:    Add proper signal handling for graceful shutdowns
// Rule:       missing-graceful-shutdown should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      CommonJS Express service ends with app.listen(3000) and no SIGTERM/SIGINT handler (container stop hangs, then SIGKILL)

require("dotenv").config();
const os = require("os");
const fs = require("fs");
const express = require("express");
const ProductService = require("./services/ProductService");
const multer = require("multer");

const app = express();
app.use(express.json());
const upload = multer({ dest: os.tmpdir() });

app.get("/", (req, res) => {
  res.send("Hello World!!!");
});

app.get("/api/products", async (req, res) => {
  const products = await ProductService.getProducts();
  res.json(products);
});

app.post("/api/products", async (req, res) => {
  try {
    const newProduct = await ProductService.createProduct(req.body);

    res
      .status(201)
      .header("Location", `/api/products/${newProduct.id}`)
      .json(newProduct);
  } catch (error) {
    res.status(400).json({ error: error.message });
  }
});

app.get("/api/products/:id", async (req, res) => {
  const product = await ProductService.getProductById(req.params.id);

  if (!product) {
    res.status(404).send();
    return;
  }

  res.json(product);
});

app.get("/api/products/:id/image", async (req, res) => {
  const product = await ProductService.getProductById(req.params.id);

  if (!product) {
    res.status(404).send();
    return;
  }

  const imageStream = await ProductService.getProductImage(req.params.id);

  if (!imageStream) {
    res.status(404).send();
    return;
  }

  res.contentType("image/png");
  imageStream.pipe(res);
});

app.post("/api/products/:id/image", upload.single("file"), async (req, res) => {
  const product = await ProductService.uploadProductImage(
    req.params.id,
    fs.readFileSync(req.file.path),
  );

  res.json(product);
});

app.listen(3000, () => {
  console.log("Server is running on port 3000");
});

