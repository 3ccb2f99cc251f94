"""Reference measurements the calculators are checked against (``gpu-truth/``) and how to read them."""
