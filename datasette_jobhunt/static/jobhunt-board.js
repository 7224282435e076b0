// The board with JavaScript on: a card can also be dragged to another stage.
// Dropping it sends the card's own move form (the same POST as its Move
// button) with the stage it was dropped on; the page that comes back shows it
// there. Without this file the Move button does the same.
(function () {
  "use strict";
  var board = document.querySelector(".jobhunt-board");
  if (!board) return;
  var dragged = null;
  var highlighted = null;

  function stageOf(element) {
    return element && element.closest ? element.closest(".jh-board-column[data-status], .jh-board-folded[data-status]") : null;
  }

  function highlight(stage) {
    if (highlighted === stage) return;
    if (highlighted) highlighted.classList.remove("jh-drop-target");
    highlighted = stage;
    if (stage) stage.classList.add("jh-drop-target");
  }

  Array.prototype.forEach.call(board.querySelectorAll(".jh-board-card"), function (card) {
    if (!card.querySelector("form.jh-board-move")) return;
    card.setAttribute("draggable", "true");
    card.addEventListener("dragstart", function (event) {
      dragged = card;
      card.classList.add("jh-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.id);
    });
    card.addEventListener("dragend", function () {
      card.classList.remove("jh-dragging");
      dragged = null;
      highlight(null);
    });
  });

  board.addEventListener("dragover", function (event) {
    var stage = dragged && stageOf(event.target);
    if (!stage) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    highlight(stage);
  });

  board.addEventListener("drop", function (event) {
    var stage = dragged && stageOf(event.target);
    if (!stage) return;
    event.preventDefault();
    var card = dragged;
    highlight(null);
    if (stage.dataset.status === card.dataset.status) return;
    var form = card.querySelector("form.jh-board-move");
    form.elements.status.value = stage.dataset.status;
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  });
})();
