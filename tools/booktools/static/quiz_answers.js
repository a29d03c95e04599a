/* Quiz answers in class (built with RESNET_BOOK_QUIZ_ANSWERS=lecturer, booktools.quiz_answers): a
   student's click marks an option as chosen, without saying whether it is right; the lecturer
   reveals the answer and its explanation (the button under each question, or the key A on a deck). */
(function () {
  document.documentElement.classList.add("rb-lecturer");
  function addButtons() {
    document.querySelectorAll(".Quiz").forEach(function (quiz) {
      if (quiz.querySelector(".rb-reveal")) return;
      var b = document.createElement("button");
      b.type = "button";
      b.className = "rb-reveal";
      b.lang = "en";
      b.textContent = "Show the answer";
      b.addEventListener("click", function () {
        var shown = quiz.classList.toggle("rb-revealed");
        b.textContent = shown ? "Hide the answer" : "Show the answer";
      });
      quiz.appendChild(b);
    });
  }
  new MutationObserver(addButtons).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener("DOMContentLoaded", addButtons);
  document.addEventListener("keydown", function (e) {  // a deck: A reveals the quizzes of the current slide
    if ((e.key === "a" || e.key === "A") && window.Reveal && Reveal.getCurrentSlide) {
      Reveal.getCurrentSlide().querySelectorAll(".rb-reveal").forEach(function (b) { b.click(); });
    }
  });
})();
