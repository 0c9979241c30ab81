"""Matrix calculus by differentials: `matrix("norm2(X*w - y)^2", wrt="w")`.

text ─parse─▶ expression (expr.py) ─shapes─▶ shaped ─differentials─▶ df ─read off─▶
gradient or Jacobian ─numeric─▶ proved against central differences of the formula.
"""
