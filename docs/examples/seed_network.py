"""The seed's SimpleNeuralNetwork, copied verbatim from chain-rule-and-backpropagation.md §5.

Its backward uses dz2 = a2 - y: the gradient of mean binary cross-entropy, not of
the mean squared error its compute_loss prints.  Only the class; not the training script.
"""

# The class is kept exactly as the seed has it, blank lines with spaces and all:
# ruff: noqa: W293, I001
# fmt: off

import numpy as np

class SimpleNeuralNetwork:
    def __init__(self, input_size, hidden_size, output_size):
        # Initialize weights
        self.W1 = np.random.randn(input_size, hidden_size) * 0.01
        self.b1 = np.zeros(hidden_size)
        self.W2 = np.random.randn(hidden_size, output_size) * 0.01
        self.b2 = np.zeros(output_size)
    
    def sigmoid(self, x):
        return 1 / (1 + np.exp(-x))
    
    def sigmoid_derivative(self, x):
        # x is already sigmoid(x)
        return x * (1 - x)
    
    def forward(self, X):
        # Forward pass
        self.z1 = X @ self.W1 + self.b1
        self.a1 = self.sigmoid(self.z1)
        self.z2 = self.a1 @ self.W2 + self.b2
        self.a2 = self.sigmoid(self.z2)
        return self.a2
    
    def backward(self, X, y, learning_rate=0.1):
        m = X.shape[0]
        # Output layer
        dz2 = self.a2 - y  # dL/da2 * da2/dz2
        dW2 = (self.a1.T @ dz2) / m
        db2 = np.sum(dz2, axis=0) / m
        # Hidden layer
        dz1 = (dz2 @ self.W2.T) * self.sigmoid_derivative(self.a1)  # chain rule
        dW1 = (X.T @ dz1) / m
        db1 = np.sum(dz1, axis=0) / m
        # Update weights
        self.W2 -= learning_rate * dW2
        self.b2 -= learning_rate * db2
        self.W1 -= learning_rate * dW1
        self.b1 -= learning_rate * db1
    
    def compute_loss(self, y_pred, y_true):
        return np.mean((y_pred - y_true)**2)
